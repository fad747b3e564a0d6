"""How long a whole matching round takes, and how much memory, at the issue's four sizes — a
benchmark to run by hand, not a test:

    .venv/bin/python -m benchmarks.matching                           # solver only, all sizes
    .venv/bin/python -m benchmarks.matching --sizes 50x300,600x3000   # MENTORSxMENTEES
    .venv/bin/python -m benchmarks.matching --database                # the real round, with a DB

Each size runs in a fresh process, so the peak memory shown (``ru_maxrss``) is that size's own.

* **Solver only** (the default): *load* is generating the round's arrays
  (``benchmarks.instances.instance``: ~2 % of pairs in a working relationship, capacities 4–8,
  three cohorts); *scoring* and *solve* come from ``matching.solver.solve``; *save* is not
  measured.
* **--database**: people, a scheme with three cohorts and a matching policy, enrolments,
  applications with the focus areas mentees want, working relationships (teams of about eight
  under a line manager, departments under a head, some clinical supervisors) and mentee
  rankings are written to a throwaway database — a SQLite file in a temporary directory, or,
  when ``DATABASE_URL`` is set, a scratch ``test_…`` database beside it, dropped afterwards. A
  second fresh process then runs ``matching.rounds.run_round`` and reports its
  ``outcome.timings`` (load, scoring, solve, save). Conflicts: 50 organisations and the scheme
  set to make the same organisation a hard conflict (~2 % of pairs), on top of the
  relationships.

Next to the optimal assignment, the same run reports the greedy baseline (each mentee in
priority order takes their best-scoring mentor with room) and how far below it falls.

* **--pruning**: what pruning costs. For each size, on a realistic round, a tie-heavy one
  (everyone alike) and one with scarce places (capacities 1–3), the solve over every
  conflict-free pair against pruned solves keeping each mentee's best ``--keeps`` mentors:
  matches per cohort, score and its gap to the unpruned optimum.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SIZES = "50x300,600x3000,2000x10000,10000x50000"
PRUNING_SIZES = "600x3000,2000x10000"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def parse_size(size: str) -> tuple[int, int]:
    mentors, mentees = size.lower().split("x")
    return int(mentors), int(mentees)


# --- solver only ------------------------------------------------------------------------------


def solver_only(size: str, seed: int, solve_options: dict) -> dict:
    from benchmarks.instances import default_policy, instance
    from matching.scoring import UNIT
    from matching.solver import solve

    n_mentors, n_mentees = parse_size(size)
    cpu = time.process_time()
    started = time.perf_counter()
    features, capacity = instance(n_mentors, n_mentees, seed=seed)
    load = time.perf_counter() - started
    result, greedy = solve(features, default_policy(), capacity, seed=seed, **solve_options)
    return {
        "size": size,
        "load": load,
        "scoring": result.timings["scoring"],
        "solve": result.timings["solve"],
        "save": None,
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_mb(),
        "mentees": n_mentees,
        "matched": result.matched,
        "score": result.total_score / UNIT,
        "greedy_matched": greedy.matched,
        "greedy_score": greedy.total_score / UNIT,
        **{k: result.stats[k] for k in ("arcs", "solves", "repairs", "pruned")},
    }


ROUNDS = {
    "realistic": {},
    "tie-heavy": {"diversity": 0},
    "scarce places": {"capacity": (1, 3)},
}


def pruning(size: str, seed: int, keeps: list[int]) -> dict:
    import numpy as np

    from benchmarks.instances import default_policy, instance
    from matching.scoring import UNIT
    from matching.solver import solve

    n_mentors, n_mentees = parse_size(size)
    lines = []
    for kind, options in ROUNDS.items():
        features, capacity = instance(n_mentors, n_mentees, seed=seed, **options)
        runs = [("every pair", {"full_limit": 10**15})]
        runs += [(f"keep {keep}", {"full_limit": 0, "keep": keep}) for keep in keeps]
        best = None
        for label, solve_options in runs:
            started = time.perf_counter()
            result, greedy = solve(features, default_policy(), capacity, seed=seed, **solve_options)
            seconds = time.perf_counter() - started
            best = result.total_score if best is None else best
            for name, which, took in ((label, result, seconds), ("greedy", greedy, None)):
                if name == "greedy" and label != "every pair":
                    continue
                lines.append(
                    {
                        "size": size,
                        "round": kind,
                        "candidates": name,
                        "arcs": which.stats.get("arcs"),
                        "seconds": took,
                        "per_cohort": np.bincount(
                            features.level[which.mentee], minlength=3
                        ).tolist(),
                        "score": which.total_score / UNIT,
                        "gap": 100 * (best - which.total_score) / best if best else 0.0,
                    }
                )
    return {"lines": lines, "peak_mb": peak_mb()}


def print_pruning(lines: list[dict]) -> None:
    head = (
        f"{'size':>12} {'round':>14} {'candidates':>11} {'arcs':>11} {'seconds':>8} "
        f"{'matched per cohort':>22} {'score':>12} {'gap %':>7}"
    )
    print(head)
    print("─" * len(head))
    for r in lines:
        arcs = "" if r["candidates"] == "greedy" else f"{r['arcs']:,}"
        print(
            f"{r['size']:>12} {r['round']:>14} {r['candidates']:>11} {arcs:>11} "
            f"{fmt(r['seconds'], '8.2f')} {r['per_cohort']!s:>22} {r['score']:12.2f} "
            f"{r['gap']:7.4f}"
        )


# --- with a database --------------------------------------------------------------------------

N_ORGANISATIONS = 50  # so about 2 % of pairs share an organisation
TEAM = 8


def setup_django(scratch_name: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()
    if scratch_name:
        from django.db import connection

        connection.settings_dict["NAME"] = scratch_name


def populate(size: str, seed: int) -> int:
    """Write the round's people and scheme; return the scheme's id."""
    import datetime

    import numpy as np
    from django.db import transaction

    from matching.models import MatchingPolicy, MentorPreference
    from matching.scoring import HARD
    from mentoring.models import (
        FocusArea,
        Organisation,
        Person,
        RelationshipKind,
        ScopeOfPractice,
        Sector,
        User,
        WorkingRelationship,
    )
    from schemes.models import (
        Application,
        ApplicationStatus,
        Cohort,
        Enrolment,
        EnrolmentStatus,
        ParticipantRole,
        Scheme,
    )

    n_mentors, n_mentees = parse_size(size)
    n = n_mentors + n_mentees
    rng = np.random.default_rng(seed)
    today = datetime.date.today()
    batch = 5000
    with transaction.atomic():
        sectors = Sector.objects.bulk_create([Sector(name=f"Sector {i}") for i in range(4)])
        scopes = ScopeOfPractice.objects.bulk_create(
            [ScopeOfPractice(name=f"Scope {i}") for i in range(3)]
        )
        areas = FocusArea.objects.bulk_create([FocusArea(name=f"Focus {i}") for i in range(6)])
        icb = Organisation(code="BENCH", name="Benchmark ICB", kind="icb")
        icb.save()
        organisations = []
        for i in range(N_ORGANISATIONS):
            org = Organisation(code=f"B{i:03d}", name=f"Practice {i}", kind="practice", parent=icb)
            org.save()
            organisations.append(org)

        org_of = rng.integers(0, N_ORGANISATIONS, n)
        dept_of = rng.integers(0, 4, n)
        users = User.objects.bulk_create(
            [
                User(email=f"p{i}@bench.example", first_name="Person", last_name=str(i))
                for i in range(n)
            ],
            batch_size=batch,
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    user=users[i],
                    profession="gp",
                    organisation=organisations[org_of[i]],
                    department=f"Department {dept_of[i]}",
                    region=f"Region {org_of[i] % 5}",
                )
                for i in range(n)
            ],
            batch_size=batch,
        )
        pk = [p.pk for p in people]

        def areas_of(bits):
            return [areas[a].pk for a in range(6) if bits >> a & 1]

        Person.sectors.through.objects.bulk_create(
            [
                Person.sectors.through(person_id=pk[i], sector_id=sectors[s].pk)
                for i, s in enumerate(rng.integers(0, 4, n))
            ],
            batch_size=batch,
        )
        Person.scopes_of_practice.through.objects.bulk_create(
            [
                Person.scopes_of_practice.through(person_id=pk[i], scopeofpractice_id=scopes[s].pk)
                for i, s in enumerate(rng.integers(0, 3, n))
            ],
            batch_size=batch,
        )
        Person.focus_areas.through.objects.bulk_create(
            [
                Person.focus_areas.through(person_id=pk[i], focusarea_id=area)
                for i in range(n_mentors)
                for area in areas_of(int(rng.integers(0, 64)))
            ],
            batch_size=batch,
        )

        # Teams of about eight under a line manager; each department's first person manages
        # the team leads; one in five also has a clinical supervisor in the organisation.
        rels = []
        members: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            members.setdefault((int(org_of[i]), int(dept_of[i])), []).append(i)
        for group in members.values():
            head, rest = group[0], group[1:]
            for t in range(0, len(rest), TEAM):
                lead, team = rest[t], rest[t + 1 : t + TEAM]
                rels.append((head, lead, RelationshipKind.LINE_MANAGER))
                rels += [(lead, member, RelationshipKind.LINE_MANAGER) for member in team]
        by_org: dict[int, list[int]] = {}
        for i in range(n):
            by_org.setdefault(int(org_of[i]), []).append(i)
        for i in np.nonzero(rng.random(n) < 0.2)[0]:
            colleagues = by_org[int(org_of[i])]
            j = colleagues[int(rng.integers(0, len(colleagues)))]
            if j != i:
                rels.append((j, int(i), RelationshipKind.CLINICAL_SUPERVISOR))
        WorkingRelationship.objects.bulk_create(
            [
                WorkingRelationship(
                    supervisor_id=pk[a],
                    supervisee_id=pk[b],
                    kind=kind,
                    start_date=today - datetime.timedelta(days=400),
                )
                for a, b, kind in rels
            ],
            batch_size=batch,
            ignore_conflicts=True,
        )

        scheme = Scheme.objects.create(
            slug=f"bench-{size}",
            name=f"Benchmark {size}",
            owner=icb,
            profession="gp",
            starts_on=today - datetime.timedelta(days=60),
            mentor_capacity_min=4,
            mentor_capacity_max=8,
        )
        MatchingPolicy.objects.create(scheme=scheme, same_organisation=HARD)
        cohorts = [
            Cohort.objects.create(scheme=scheme, slug=f"c{i}", name=f"Cohort {i}", priority=i + 1)
            for i in range(3)
        ]
        joined = today - datetime.timedelta(days=30)
        mentors = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    person_id=pk[i],
                    scheme=scheme,
                    role=ParticipantRole.MENTOR,
                    status=EnrolmentStatus.ACTIVE,
                    capacity=int(c),
                    joined_on=joined,
                )
                for i, c in zip(range(n_mentors), rng.integers(4, 9, n_mentors), strict=True)
            ],
            batch_size=batch,
        )
        level = rng.integers(0, 3, n_mentees)
        applications = Application.objects.bulk_create(
            [
                Application(
                    person_id=pk[n_mentors + j],
                    scheme=scheme,
                    role=ParticipantRole.MENTEE,
                    status=ApplicationStatus.APPROVED,
                    cohort=cohorts[level[j]],
                )
                for j in range(n_mentees)
            ],
            batch_size=batch,
        )
        Application.focus_areas.through.objects.bulk_create(
            [
                Application.focus_areas.through(application_id=app.pk, focusarea_id=area)
                for app in applications
                for area in areas_of(int(rng.integers(0, 64)))
            ],
            batch_size=batch,
        )
        mentees = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    person_id=pk[n_mentors + j],
                    scheme=scheme,
                    role=ParticipantRole.MENTEE,
                    status=EnrolmentStatus.ACTIVE,
                    cohort=cohorts[level[j]],
                    joined_on=joined,
                    application=applications[j],
                )
                for j in range(n_mentees)
            ],
            batch_size=batch,
        )
        prefs = []
        for j in rng.choice(n_mentees, n_mentees // 10, replace=False):
            chosen = rng.choice(n_mentors, min(3, n_mentors), replace=False)
            prefs += [
                MentorPreference(mentee=mentees[j], mentor=mentors[m], rank=r + 1)
                for r, m in enumerate(chosen)
            ]
        MentorPreference.objects.bulk_create(prefs, batch_size=batch)
    return scheme.pk


def child_populate(size: str, seed: int) -> dict:
    """Make the scratch database (migrated, or created by Django's test machinery) and fill it."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    scratch = None
    if connection.vendor != "sqlite":
        scratch = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    started = time.perf_counter()
    scheme = populate(size, seed)
    return {"scheme": scheme, "scratch": scratch, "generate": time.perf_counter() - started}


def child_round(size: str, scheme_id: int, scratch: str | None) -> dict:
    setup_django(scratch)
    try:
        from matching.rounds import run_round
    except ImportError as missing:
        raise SystemExit(
            f"--database needs matching.rounds.run_round, which is missing: {missing}"
        ) from None
    from schemes.models import Scheme

    _, n_mentees = parse_size(size)
    scheme = Scheme.objects.get(pk=scheme_id)
    cpu = time.process_time()
    outcome = run_round(scheme, dry_run=False)
    timings = outcome.timings
    return {
        "size": size,
        "load": timings["load"],
        "scoring": timings["scoring"],
        "solve": timings["solve"],
        "save": timings["save"],
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_mb(),
        "mentees": n_mentees,
        "matched": outcome.matched,
        "score": outcome.total_score,
        "greedy_matched": getattr(outcome, "greedy_matched", None),
        "greedy_score": getattr(outcome, "greedy_score", None),
    }


def child_drop(scratch: str) -> dict:
    setup_django()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = scratch
    connection.creation.destroy_test_db(original, verbosity=0)
    return {}


# --- running and printing ---------------------------------------------------------------------


def run_child(args: list[str], env: dict | None = None) -> dict:
    done = subprocess.run(  # noqa: S603 (this same script, with arguments it made itself)
        [sys.executable, "-m", "benchmarks.matching", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark step {' '.join(args)} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def database_size(size: str, seed: int) -> dict:
    env = dict(os.environ)
    tmp = None
    if "DATABASE_URL" not in env:
        tmp = tempfile.mkdtemp(prefix="matching-benchmark-")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/benchmark.sqlite3"
    made = {}
    try:
        made = run_child(["--step", "populate", "--sizes", size, "--seed", str(seed)], env)
        row = run_child(
            [
                "--step",
                "round",
                "--sizes",
                size,
                "--scheme",
                str(made["scheme"]),
                *(["--scratch", made["scratch"]] if made["scratch"] else []),
            ],
            env,
        )
        row["generate"] = made["generate"]
        return row
    finally:
        if made.get("scratch"):
            run_child(["--step", "drop", "--scratch", made["scratch"]], env)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def fmt(value, spec):
    width = int(spec.split(".")[0])
    return f"{'–':>{width}}" if value is None else format(value, spec)


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'size':>12} {'load':>7} {'scoring':>8} {'solve':>7} {'save':>7} {'total':>7} "
        f"{'cpu':>7} {'peak MB':>8} │ {'matched':>15} {'score':>12} │ "
        f"{'greedy':>15} {'score':>12} {'gap %':>6}"
    )
    print(head)
    print("─" * len(head))
    for r in rows:
        total = sum(r[k] or 0 for k in ("load", "scoring", "solve", "save"))
        gap = None
        if r.get("greedy_score") is not None and r["score"]:
            gap = 100 * (r["score"] - r["greedy_score"]) / r["score"]
        greedy = "–" if r.get("greedy_matched") is None else f"{r['greedy_matched']}/{r['mentees']}"
        print(
            f"{r['size']:>12} {fmt(r['load'], '7.2f')} {fmt(r['scoring'], '8.2f')} "
            f"{fmt(r['solve'], '7.2f')} {fmt(r['save'], '7.2f')} {total:7.2f} "
            f"{fmt(r['cpu'], '7.2f')} {r['peak_mb']:8.0f} │ "
            f"{str(r['matched']) + '/' + str(r['mentees']):>15} {r['score']:12.2f} │ "
            f"{greedy:>15} {fmt(r.get('greedy_score'), '12.2f')} {fmt(gap, '6.2f')}"
        )
    print("seconds; total = load + scoring + solve + save; cpu = this process's CPU time")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        help=f"MENTORSxMENTEES,… (default {SIZES}; with --pruning {PRUNING_SIZES}, as solving "
        "every pair of a national round needs tens of gigabytes)",
    )
    parser.add_argument("--database", action="store_true", help="time the real round")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=int, help="solver only: mentors kept per mentee")
    parser.add_argument("--full-limit", type=int, help="solver only: pairs solved unpruned")
    parser.add_argument("--block", type=int, help="solver only: mentee rows scored at once")
    parser.add_argument("--pruning", action="store_true", help="pruned against unpruned")
    parser.add_argument("--keeps", default="8,16,32,50", help="with --pruning (default 8,16,32,50)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument(
        "--step", choices=["solver", "pruning", "populate", "round", "drop"], help=argparse.SUPPRESS
    )
    parser.add_argument("--scheme", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = (args.sizes or (PRUNING_SIZES if args.pruning else SIZES)).split(",")
    options = {
        name: value
        for name, value in (
            ("keep", args.keep),
            ("full_limit", args.full_limit),
            ("block", args.block),
        )
        if value is not None
    }

    if args.step:
        if args.step == "solver":
            out = solver_only(sizes[0], args.seed, options)
        elif args.step == "pruning":
            out = pruning(sizes[0], args.seed, [int(k) for k in args.keeps.split(",")])
        elif args.step == "populate":
            out = child_populate(sizes[0], args.seed)
        elif args.step == "round":
            out = child_round(sizes[0], args.scheme, args.scratch)
        else:
            out = child_drop(args.scratch)
        print(json.dumps(out))
        return

    if (args.database or args.pruning) and options:
        parser.error("--keep, --full-limit and --block apply to the solver-only mode")
    if args.pruning:
        print(f"pruning against every pair, seed {args.seed}", flush=True)
        lines = []
        for size in sizes:
            parse_size(size)
            keeps = f"--keeps={args.keeps}"
            out = run_child(["--step", "pruning", "--sizes", size, "--seed", str(args.seed), keeps])
            lines += out["lines"]
            if args.json:
                print(json.dumps(out), flush=True)
        if not args.json:
            print_pruning(lines)
        return
    print(
        f"{'database (run_round)' if args.database else 'solver only'}, seed {args.seed}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    rows = []
    for size in sizes:
        parse_size(size)
        if args.database:
            row = database_size(size, args.seed)
        else:
            extra = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
            row = run_child(["--step", "solver", "--sizes", size, "--seed", str(args.seed), *extra])
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    if not args.json:
        print_table(rows)


if __name__ == "__main__":
    main()
