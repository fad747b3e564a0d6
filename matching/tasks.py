from celery import shared_task

from matching.models import MatchingRound


@shared_task(acks_late=True)
def run_matching_round(round_id: int) -> dict:
    """Fill in a round the admin created (status *running*): solve and save its proposals."""
    from matching.rounds import run_round

    matching_round = MatchingRound.objects.select_related("scheme").get(pk=round_id)
    if matching_round.status != MatchingRound.Status.RUNNING:
        return {"round": round_id, "skipped": True}
    try:
        outcome = run_round(
            matching_round.scheme,
            by=matching_round.created_by,
            matching_round=matching_round,
        )
    except Exception as error:
        MatchingRound.objects.filter(pk=round_id).update(
            status=MatchingRound.Status.FAILED, error=str(error)[:2000]
        )
        raise
    return {"round": round_id, "matched": outcome.matched}
