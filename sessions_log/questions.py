"""Questions as data: what a FormTemplate's ``questions`` hold, how they become a Django form,
and how answers read back.

A question is a dict::

    {"key": "confidence_before", "type": "scale", "text": "How confident …?", "help": "",
     "required": True, "roles": ["mentee"],                    # absent: everyone
     "show_if": {"key": "role", "equals": "mentor"},           # absent: always shown
     "min": 1, "max": 5, "labels": {"1": "Not at all", "5": "Very"},      # scale
     "choices": ["Acute", "Community", …], "other": True}      # single / multiple choice

``key`` is stable across versions of a template so answers can be compared; ``other`` adds an
"Other, please state" box whose answer is stored under ``<key>_other``. ``show_if`` names an
earlier question and either the one answer (``equals``) or any of several (``in``) that shows
this one — the surveys' "Yes – go to question 9c"; a yes / no answer is ``"yes"`` or ``"no"``.
A question hidden by an earlier answer is neither required nor kept.
"""

import datetime

from django import forms

TYPES = {
    "text": "Short text",
    "long_text": "Long text",
    "scale": "Scale",
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "date": "Date",
    "yes_no": "Yes or no",
}
ROLES = ("mentor", "mentee")
OTHER = "Other, please state"
YES_NO = {"yes": "Yes", "no": "No"}
SETTINGS = {
    "key",
    "type",
    "text",
    "help",
    "required",
    "roles",
    "show_if",
    "min",
    "max",
    "labels",
    "choices",
    "other",
}
CHOICE_TYPES = ("single_choice", "multiple_choice")


class QuestionError(ValueError):
    pass


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def answer_values(q: dict) -> list | None:
    """The answers a question can have, when they are a fixed list (None for free answers)."""
    kind = q.get("type")
    if kind == "yes_no":
        return list(YES_NO)
    if kind in CHOICE_TYPES:
        return list(q.get("choices") or []) + ([OTHER] if q.get("other") else [])
    if kind == "scale" and _is_whole(q.get("min")) and _is_whole(q.get("max")):
        return list(range(q["min"], q["max"] + 1))
    return None


def condition_values(condition: dict) -> list:
    """The answers that show a question with this ``show_if``."""
    if "in" in condition:
        return list(condition["in"])
    return [condition.get("equals")]


def _problems_of(q: dict, where: str, earlier: dict) -> list[str]:
    problems = []
    unknown = sorted(set(q) - SETTINGS)
    if unknown:
        problems.append(
            f"{where}: “{'”, “'.join(unknown)}” is not a setting of a question "
            f"(the settings are {', '.join(sorted(SETTINGS))})."
        )
    kind = q.get("type")
    if kind not in TYPES:
        problems.append(f"{where}: the type must be one of {', '.join(TYPES)}.")
    if not isinstance(q.get("text"), str) or not q["text"].strip():
        problems.append(f"{where} has no text.")
    if "help" in q and not isinstance(q["help"], str):
        problems.append(f"{where}: the help must be text.")
    if "required" in q and not isinstance(q["required"], bool):
        problems.append(f"{where}: “required” must be true or false.")
    roles = q.get("roles", [])
    if not isinstance(roles, list) or any(role not in ROLES for role in roles):
        problems.append(f"{where}: roles must be a list of mentor and/or mentee.")
    if kind == "scale":
        low, high = q.get("min"), q.get("max")
        if not (_is_whole(low) and _is_whole(high) and low < high):
            problems.append(f"{where}: a scale needs whole numbers min < max.")
        else:
            labels = q.get("labels", {})
            if not isinstance(labels, dict) or any(
                str(n) not in {str(v) for v in range(low, high + 1)} or not isinstance(t, str)
                for n, t in labels.items()
            ):
                problems.append(
                    f"{where}: labels must give text for numbers from {low} to {high}, "
                    f'e.g. {{"{low}": "Not at all confident"}}.'
                )
    if kind in CHOICE_TYPES:
        choices = q.get("choices")
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}: a choice question needs choices.")
        elif not all(isinstance(c, str) and c.strip() for c in choices):
            problems.append(f"{where}: each choice must be some text.")
        elif len(set(choices)) != len(choices):
            problems.append(f"{where}: a choice is listed twice.")
        elif OTHER in choices:
            problems.append(f'{where}: add “{OTHER}” with "other": true, not as a choice.')
    if "other" in q and (kind not in CHOICE_TYPES or not isinstance(q["other"], bool)):
        problems.append(f"{where}: “other” is true or false, and only on a choice question.")
    condition = q.get("show_if")
    if condition is not None:
        if not isinstance(condition, dict) or condition.get("key") not in earlier:
            problems.append(f"{where}: “show if” must name an earlier question's key.")
        elif ("equals" in condition) == ("in" in condition) or (
            "in" in condition and not isinstance(condition["in"], list)
        ):
            problems.append(
                f'{where}: “show if” needs either "equals": one answer, or "in": a list.'
            )
        else:
            possible = answer_values(earlier[condition["key"]])
            if possible is not None and any(v not in possible for v in condition_values(condition)):
                problems.append(
                    f"{where}: “show if” must use answers that “{condition['key']}” can have "
                    f"({', '.join(str(v) for v in possible)})."
                )
    return problems


def validate(questions) -> list[str]:
    """Every problem with a list of questions, in plain words; empty when it is sound."""
    problems = []
    if not isinstance(questions, list) or not questions:
        return ["A form needs at least one question."]
    earlier: dict[str, dict] = {}
    field_names: set[str] = set()
    for n, q in enumerate(questions, 1):
        where = f"Question {n}"
        if not isinstance(q, dict):
            problems.append(f"{where} is not a question.")
            continue
        key = q.get("key")
        key_ok = isinstance(key, str) and key.isidentifier()
        if not key_ok:
            problems.append(f"{where}: the key must be letters, digits and underscores.")
        elif key in earlier:
            problems.append(f"{where}: the key “{key}” is used twice.")
        elif key in field_names:
            problems.append(f"{where}: the key “{key}” is taken by an earlier “Other” box.")
        problems += _problems_of(q, where, earlier)
        if key_ok and key not in earlier:
            earlier[key] = q
            field_names.add(key)
            if q.get("other"):
                other_name = f"{key}_other"
                if other_name in field_names:
                    problems.append(f"{where}: its “Other” box clashes with “{other_name}”.")
                field_names.add(other_name)
    return problems


def for_role(questions, role: str) -> list[dict]:
    return [q for q in questions if not q.get("roles") or role in q["roles"]]


def answered_by(questions) -> set[str]:
    """The roles that see at least one of these questions."""
    return {role for role in ROLES if for_role(questions, role)}


def is_shown(question: dict, answers: dict) -> bool:
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["key"])
    wanted = condition_values(condition)
    if isinstance(given, list):
        return any(value in given for value in wanted)
    return given is not None and given in wanted


def shown(questions, role: str, answers: dict) -> list[dict]:
    """The questions this role sees, given the answers so far (conditions follow earlier ones)."""
    return [q for q in for_role(questions, role) if is_shown(q, answers)]


def _choices(q):
    options = [(c, c) for c in q["choices"]]
    if q.get("other"):
        options.append((OTHER, OTHER))
    return options


def field_for(q: dict) -> forms.Field:
    kind = q["type"]
    common = {"label": q["text"], "help_text": q.get("help", ""), "required": False}
    if kind == "text":
        return forms.CharField(max_length=500, **common)
    if kind == "long_text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, **common)
    if kind == "scale":
        labels = q.get("labels", {})
        options = [
            (str(v), f"{v} – {labels[str(v)]}" if str(v) in labels else str(v))
            for v in range(q["min"], q["max"] + 1)
        ]
        return forms.TypedChoiceField(
            choices=options,
            coerce=int,
            widget=forms.RadioSelect,
            empty_value=None,
            error_messages={
                "invalid_choice": f"Choose a number from {q['min']} to {q['max']}",
            },
            **common,
        )
    if kind == "single_choice":
        return forms.ChoiceField(
            choices=_choices(q),
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose one of the answers listed"},
            **common,
        )
    if kind == "multiple_choice":
        return forms.MultipleChoiceField(
            choices=_choices(q),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choose from the answers listed"},
            **common,
        )
    if kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": "Enter a real date, for example 27 3 2026"},
            **common,
        )
    if kind == "yes_no":
        return forms.TypedChoiceField(
            choices=list(YES_NO.items()),
            widget=forms.RadioSelect,
            empty_value=None,
            error_messages={"invalid_choice": "Choose yes or no"},
            **common,
        )
    raise QuestionError(f"Unknown question type {kind!r}")


REQUIRED_MESSAGE = "Answer this question"
OTHER_MESSAGE = "Say what the other answer is"


class ResponseForm(forms.Form):
    """The questions a role sees, as fields. A draft may be saved with questions unanswered; on
    submit every shown required question must be answered, and "Other, please state" needs its
    box. A question hidden by an earlier answer is neither required nor kept, and what was
    typed into it is not checked."""

    def __init__(self, *args, questions, role: str, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = for_role(questions, role)
        self.role = role
        self.submitting = submitting
        self.answers: dict = {}
        for q in self.questions:
            self.fields[q["key"]] = field_for(q)
            if q.get("required"):
                self.fields[q["key"]].widget.attrs["aria-required"] = "true"
            if q.get("show_if"):
                self.fields[q["key"]].widget.attrs["data-show-if"] = q["show_if"]["key"]
            if q.get("other"):
                self.fields[f"{q['key']}_other"] = forms.CharField(
                    label=f"{OTHER}: {q['text']}", max_length=500, required=False
                )

    def _forget_errors(self, name: str) -> None:
        if self._errors is not None:
            self._errors.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for q in self.questions:
            key = q["key"]
            if not is_shown(q, answers):
                self._forget_errors(key)
                self._forget_errors(f"{key}_other")
                continue
            if key in self.errors:
                continue
            value = cleaned.get(key)
            if value not in (None, "", []):
                answers[key] = value
            elif self.submitting and q.get("required"):
                self.add_error(key, forms.ValidationError(REQUIRED_MESSAGE, "required"))
            if q.get("other"):
                chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
                other = (cleaned.get(f"{key}_other") or "").strip()
                if chose_other and other:
                    answers[f"{key}_other"] = other
                elif chose_other and self.submitting:
                    self.add_error(f"{key}_other", forms.ValidationError(OTHER_MESSAGE, "required"))
        self.answers = {k: _jsonable(v) for k, v in answers.items()}
        return cleaned


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def initial_from(answers: dict) -> dict:
    return dict(answers)


def _in_words(q: dict, value, other: str | None) -> str:
    kind = q["type"]
    if kind == "yes_no":
        return YES_NO.get(value, str(value))
    if kind == "scale":
        label = q.get("labels", {}).get(str(value))
        return f"{value} – {label}" if label else f"{value} (of {q['min']} to {q['max']})"
    if kind == "date":
        try:
            return datetime.date.fromisoformat(value).strftime("%-d %B %Y")
        except (TypeError, ValueError):
            return str(value)
    if kind in CHOICE_TYPES:
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(
            (f"Other: {other}" if other else "Other") if c == OTHER else str(c) for c in chosen
        )
    return str(value)


def read_back(questions, role: str | None, answers: dict) -> list[tuple[str, str]]:
    """(question, answer in words) for each shown question, for pages and PDFs. Give the role of
    the response's *author* (or None for every question), not the reader's."""
    out = []
    questions = for_role(questions, role) if role else questions
    for q in questions:
        if not is_shown(q, answers):
            continue
        value = answers.get(q["key"])
        if value in (None, "", []):
            words = "Not answered"
        else:
            words = _in_words(q, value, answers.get(f"{q['key']}_other"))
        out.append((q["text"], words))
    return out
