"""The bundle's decision table: which members apply, given the applicant's answers.

Required members always apply. A conditional member applies when at least one rule
``(question, answer) → member`` matches an answer. Answers are normalised first: a yes/no
question takes ``"yes"``/``"no"`` (also ``true``/``false``, ``是``/``否``); a choice question
one of its choices. An unknown question or an answer outside the question's choices is a
``ValidationFailed`` with a Chinese message per question (``fields["answers.<code>"]``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from onewindow.common.errors import ValidationFailed

YES, NO = "yes", "no"
YES_WORDS = {"yes", "true", "1", "是", "y", "on"}
NO_WORDS = {"no", "false", "0", "否", "n", "off"}
YES_NO = "yes_no"
CHOICE = "choice"


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    type: str = YES_NO
    choices: tuple[str, ...] = ()

    def answers(self) -> tuple[str, ...]:
        """Every answer the question accepts, normalised."""
        return (YES, NO) if self.type == YES_NO else self.choices


@dataclass(frozen=True)
class RuleSpec:
    question: str
    answer: str
    member: Hashable


def answer_label(question: QuestionSpec, answer: str) -> str:
    if question.type == YES_NO:
        return _("是") if answer == YES else _("否")
    return answer


def _normalise_one(question: QuestionSpec, value: Any) -> str | None:
    if question.type == YES_NO:
        if isinstance(value, bool):
            return YES if value else NO
        word = str(value).strip().lower()
        if word in YES_WORDS:
            return YES
        if word in NO_WORDS:
            return NO
        return None
    text = str(value).strip() if isinstance(value, str | int) else None
    return text if text in question.choices else None


def normalise_answers(
    questions: Sequence[QuestionSpec], answers: Mapping[str, Any], *, require_all: bool = False
) -> dict[str, str]:
    """Check and normalise ``answers`` (question code → answer). Blank answers count as not
    given; with ``require_all`` every question must be answered."""
    by_code = {q.code: q for q in questions}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for code, value in answers.items():
        question = by_code.get(str(code))
        if question is None:
            errors[f"answers.{code}"] = [_("没有这个问题")]
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        answer = _normalise_one(question, value)
        if answer is None:
            allowed = "、".join(answer_label(question, a) for a in question.answers())
            errors[f"answers.{code}"] = [
                _("回答“%(v)s”无效，可选：%(allowed)s") % {"v": value, "allowed": allowed}
            ]
            continue
        clean[question.code] = answer
    if require_all:
        for q in questions:
            if q.code not in clean and f"answers.{q.code}" not in errors:
                errors[f"answers.{q.code}"] = [_("请回答：%(q)s") % {"q": q.text}]
    if errors:
        raise ValidationFailed(_("情形问题的回答不符合要求，请按提示修改"), fields=errors)
    return clean


def decide[K: Hashable](
    members: Sequence[tuple[K, bool]],
    rules: Sequence[RuleSpec],
    answers: Mapping[str, str],
) -> list[K]:
    """``members`` are ``(key, required)`` in bundle order; ``answers`` normalised. Returns
    the keys of the members that apply, in bundle order."""
    triggered = {r.member for r in rules if answers.get(r.question) == r.answer}
    return [key for key, required in members if required or key in triggered]
