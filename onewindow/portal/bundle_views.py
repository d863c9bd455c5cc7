"""The hall's "一件事一次办" screens: the list of bundles and a bundle's merged guide.

The guide page is a plain GET form: the applicant answers the questions and the page shows
exactly the items that apply, with their merged materials and form. No JavaScript needed.
Screens read through ``onewindow.bundles.selectors`` only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from onewindow.bundles import selectors
from onewindow.common.errors import NotFound, ValidationFailed


@require_safe
def bundles(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    guides = {g.version.pk: g for g in selectors.published_guides()}
    rows = [(v, guides[v.pk]) for v in selectors.published_bundles(q)]
    context = {
        "rows": rows,
        "q": q,
        "aggregate": selectors.aggregate_reduction(list(guides.values())),
    }
    return render(request, "portal/bundles/list.html", context)


@require_safe
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = selectors.published_version(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    codes = {q.code for q in version.questions.all()}
    answers = {k: v for k, v in request.GET.items() if k in codes}
    error = None
    try:
        guide = selectors.build_guide(version, answers)
    except ValidationFailed as exc:
        error = exc
        guide = selectors.build_guide(version)
    context = {
        "g": guide,
        "v": guide.version,
        "error": error,
        "api_url": reverse("api:get_bundle", args=[code]),
        "conditional_left_out": [m for m in guide.members if m not in guide.applicable],
        # Measured from concluded bundle cases, next to the catalogue figures (None: none yet).
        "measured": selectors.measured_figures(guide.version),
        # 在线申请 carries the answers given so far to the application's first page.
        "apply_url": reverse("portal:bundle_apply", args=[code])
        + ("?" + urlencode(guide.answers) if guide.answers else ""),
    }
    return render(request, "portal/bundles/guide.html", context)
