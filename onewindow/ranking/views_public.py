"""The public screens (no login): the rounds, the vote page (usable on a phone), the thanks
page and the published results."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.common.errors import DomainError, NotFound
from onewindow.ranking import selectors as sel
from onewindow.ranking.models import CATEGORY_DESCRIPTIONS, Category, EvaluationRound, RoundStatus
from onewindow.ranking.services import MAX_PROBLEM_LENGTH, Choice, vote_cast


def _round_or_404(pk: int, statuses: tuple[str, ...] = sel.PUBLIC_STATUSES) -> EvaluationRound:
    try:
        return sel.public_round(pk, statuses=statuses)
    except NotFound as error:
        raise Http404(error.message) from error


def categories() -> list[dict[str, Any]]:
    return [
        {"code": c.value, "label": c.label, "description": CATEGORY_DESCRIPTIONS[c]}
        for c in Category
    ]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    rounds = list(sel.public_rounds())
    return render(
        request,
        "ranking/index.html",
        {
            "open_rounds": [r for r in rounds if r.status == RoundStatus.OPEN],
            "published_rounds": [r for r in rounds if r.status == RoundStatus.PUBLISHED],
            "categories": categories(),
        },
    )


def _choices(request: HttpRequest, office_ids: list[int]) -> list[Choice]:
    """Offices with a category ticked or a problem written, in the round's order."""
    out = []
    for pk in office_ids:
        cats = tuple(request.POST.getlist(f"cat_{pk}"))
        problem = request.POST.get(f"problem_{pk}", "").strip()
        if cats or problem:
            out.append(Choice(office_id=pk, categories=cats, problem=problem))
    return out


@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HttpRequest, round_id: int) -> HttpResponse:
    r = _round_or_404(round_id, (RoundStatus.OPEN,))
    offices = sel.round_offices(r)
    context: dict[str, Any] = {
        "round": r,
        "offices": offices,
        "categories": categories(),
        "max_problem": MAX_PROBLEM_LENGTH,
        "posted": {},
        "office_errors": {},
    }
    if request.method != "POST":
        return render(request, "ranking/vote.html", context)
    choices = _choices(request, [o.pk for o in offices])
    try:
        vote_cast(round=r, resident_id=request.POST.get("resident_id", ""), choices=choices)
    except DomainError as error:
        by_index = {c.office_id: i for i, c in enumerate(choices)}
        office_errors = {
            pk: "；".join(
                m
                for key, msgs in error.fields.items()
                if key.startswith(f"entries.{i}.")
                for m in (msgs if isinstance(msgs, list) else [msgs])
            )
            for pk, i in by_index.items()
        }
        context.update(
            error=error,
            id_error="；".join(error.fields.get("resident_id", [])),
            office_errors={str(k): v for k, v in office_errors.items() if v},
            posted={
                str(o.pk): {
                    "cats": request.POST.getlist(f"cat_{o.pk}"),
                    "problem": request.POST.get(f"problem_{o.pk}", ""),
                }
                for o in offices
            },
        )
        return render(request, "ranking/vote.html", context, status=error.status)
    return redirect("ranking:thanks", round_id=r.pk)


@require_safe
def thanks(request: HttpRequest, round_id: int) -> HttpResponse:
    r = _round_or_404(round_id)
    return render(request, "ranking/thanks.html", {"round": r})


@require_safe
def results(request: HttpRequest, round_id: int) -> HttpResponse:
    r = _round_or_404(round_id, (RoundStatus.PUBLISHED,))
    res = sel.round_results(r)
    return render(
        request,
        "ranking/results.html",
        {
            "round": r,
            "results": res,
            "exposed": res.top(r.exposed_count),
            "categories": categories(),
        },
    )
