"""一件事 filed at the window (一窗受理 for someone at the counter): the clerk picks a
published bundle, answers its questions with the applicant, identifies the applicant (and
the business), chooses window / assisted (帮办) / proxy (代办), then fills the ONE merged
form and scans each material type once, and submits; the bundle records one visit.

Writes go through ``cases.services.bundle`` (``bundle_case_create`` with the staff channel,
then the same fill flow as the applicant's page: ``portal.bundle_case_forms.fill_merged``).
The clerk needs ``case.accept`` in the department of every member of the bundle; a bundle
case filed by another clerk is a 404 here.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import WINDOW, staff_view
from onewindow.backoffice.bundle_forms import ANSWER_PREFIX, BundleFileForm
from onewindow.backoffice.context import done, fail
from onewindow.bundles import selectors as bundles
from onewindow.bundles.models import BundleMember, BundleVersion
from onewindow.bundles.selectors import Guide
from onewindow.cases.models import BundleCase, BundleCaseStatus
from onewindow.cases.services.bundle import bundle_case_create, sub_cases_of
from onewindow.cases.services.submission import STAFF_CHANNELS
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.org.permissions import departments_for
from onewindow.portal.bundle_case_forms import (
    bundle_prefill,
    fill_context,
    fill_merged,
    initial_values,
    stored_values,
)

TEMPLATE_CHOOSE = "backoffice/bundles/file_choose.html"
TEMPLATE_FILE = "backoffice/bundles/file.html"
TEMPLATE_FILL = "backoffice/bundles/fill.html"


def bundles_for_window(actor: Any, q: str = "") -> QuerySet[BundleVersion]:
    """Published bundles the clerk may file at the window: ``case.accept`` in the
    department of every member (conditional ones too; one set-based query)."""
    departments = departments_for(actor, "case.accept")
    outside = BundleMember.objects.filter(version=OuterRef("pk")).exclude(
        item__department__in=departments.values("pk")
    )
    return bundles.published_bundles(q).exclude(Exists(outside))


def _version_or_404(actor: Any, code: str) -> BundleVersion:
    version = bundles_for_window(actor).filter(bundle__code=code).first()
    if version is None:
        raise Http404(_("未找到可在窗口受理的一件事"))
    return version


def _filed_or_404(actor: Any, number: str) -> BundleCase:
    """A bundle case this clerk filed at the window (the filer is on the applicant's side
    for the services); anyone else's is a 404."""
    found = (
        BundleCase.objects.filter(number=number, created_by=actor, channel__in=STAFF_CHANNELS)
        .select_related("bundle_version", "applicant", "lead_department")
        .first()
    )
    if found is None:
        raise Http404(_("未找到该一件事办件"))
    return found


# ---------------------------------------------------------------------------- choose


@require_safe
@staff_view(WINDOW, current="backoffice:bundle_file_start")
def bundle_file_start(request: HttpRequest) -> HttpResponse:
    """一件事窗口申请: the published bundles this clerk may file, searchable."""
    q = request.GET.get("q", "").strip()[:100]
    context = {
        "q": q,
        "rows": list(bundles_for_window(request.user, q)[:100]),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, TEMPLATE_CHOOSE, context)


# ---------------------------------------------------------------------------- file


def _answers(guide: Guide, post: Any) -> dict[str, str]:
    answers = {}
    for q in guide.questions:
        value = (post.get(ANSWER_PREFIX + q.question.code) or "").strip()
        if value:
            answers[q.question.code] = value
    return answers


def _file_context(
    request: HttpRequest, version: BundleVersion, guide: Guide, form: BundleFileForm
) -> dict[str, Any]:
    return {
        "v": version,
        "g": guide,
        "form": form,
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }


@require_http_methods(["GET", "POST"])
@staff_view(WINDOW, current="backoffice:bundle_file_start")
def bundle_file(request: HttpRequest, code: str) -> HttpResponse:
    """The questions answered with the applicant, who they are (resident ID / USCC), the
    business, the way in; creates the bundle case with one draft sub-case per item."""
    version = _version_or_404(request.user, code)
    blank = bundles.build_guide(version)
    if request.method == "GET":
        form = BundleFileForm(initial={"identifier": request.GET.get("identifier", "")})
        return render(request, TEMPLATE_FILE, _file_context(request, version, blank, form))
    answers = _answers(blank, request.POST)
    try:
        guide = bundles.build_guide(version, answers)
    except ValidationFailed:
        guide = blank
    form = BundleFileForm(request.POST)
    if not form.is_valid():
        return render(
            request, TEMPLATE_FILE, _file_context(request, version, guide, form), status=422
        )
    applicant: Applicant = form.cleaned_data["identifier"]
    business: Applicant | None = form.cleaned_data["business"]
    if applicant.kind == ApplicantKind.LEGAL:
        business = None
    try:
        bundle_case = _create(request, version, applicant, business, answers, form)
    except DomainError as error:
        form.add_service_errors(error)
        return fail(request, TEMPLATE_FILE, _file_context(request, version, guide, form), error)
    done(
        request,
        _("已创建一件事办件 %(number)s（%(n)d个事项），请填写一张申请表并扫描材料。")
        % {"number": bundle_case.number, "n": bundle_case.sub_cases.count()},
    )
    return redirect("backoffice:bundle_fill", number=bundle_case.number)


def _create(
    request: HttpRequest,
    version: BundleVersion,
    applicant: Applicant,
    business: Applicant | None,
    answers: dict[str, str],
    form: BundleFileForm,
) -> BundleCase:
    """The bundle case at the window, what the platform knows about the applicant and
    the business pre-filled (a pre-filled value the form refuses is left to type)."""
    data: dict[str, Any] = {}
    with suppress(ValidationFailed):  # a missing answer: the service says which
        data = bundle_prefill(
            bundles.build_guide(version, answers, require_all=True).fields, applicant, business
        )
    kwargs: dict[str, Any] = {
        "actor": request.user,
        "bundle_version": version,
        "applicant": applicant,
        "business": business,
        "answers": answers,
        "channel": form.cleaned_data["channel"],
        "consent_note": form.cleaned_data["consent_note"],
        "idempotency_key": request.POST.get("idempotency_key", "")[:64],
    }
    try:
        return bundle_case_create(**kwargs, form_data=data)
    except ValidationFailed as exc:
        if exc.code != "form_invalid":
            raise
        data = {k: v for k, v in data.items() if k not in exc.fields}
        return bundle_case_create(**kwargs, form_data=data)


# ---------------------------------------------------------------------------- fill


@require_http_methods(["GET", "POST"])
@staff_view(WINDOW, current="backoffice:bundle_file_start")
def bundle_fill(request: HttpRequest, number: str) -> HttpResponse:
    """一表申请 at the window: the ONE merged form and one scan per material type (the
    applicant's own page's flow); 提交 submits every sub-case, then the acceptance page."""
    bundle_case = _filed_or_404(request.user, number)
    if bundle_case.status != BundleCaseStatus.DRAFT:
        if bundle_case.status == BundleCaseStatus.SUBMITTED:
            return redirect("backoffice:bundle_accept", number=number)
        raise Http404(_("该一件事办件已不在填写状态"))
    subs = sub_cases_of(bundle_case)
    extra = {
        "subs": subs,
        "staff_links": True,
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    if request.method == "GET":
        ctx = fill_context(
            bundle_case, subs, values=initial_values(subs), field_errors={}, slot_errors={}
        )
        return render(request, TEMPLATE_FILL, _fill_page(ctx, extra))
    try:
        result = fill_merged(
            request.user,
            bundle_case,
            request.POST,
            request.FILES,
            submitting=request.POST.get("action") == "submit",
        )
    except NotFound as error:
        raise Http404(error.message) from error
    if result.saved:
        done(request, _("申请表和材料已保存。"))
        return redirect("backoffice:bundle_fill", number=number)
    if result.submitted:
        done(
            request,
            _("一件事 %(number)s 已提交，请作出受理决定。") % {"number": number},
        )
        return redirect("backoffice:bundle_accept", number=number)
    subs = sub_cases_of(bundle_case)
    values = {**stored_values(subs), **result.data}  # typed text wins
    ctx = fill_context(
        bundle_case,
        subs,
        values=values,
        field_errors=result.field_errors,
        slot_errors=result.slot_errors,
        error=result.error,
    )
    extra["subs"] = subs
    return render(request, TEMPLATE_FILL, _fill_page(ctx, extra), status=422)


def _fill_page(ctx: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The back office's base shows ``error`` as a service error: the form's own summary
    message travels as ``fill_error``."""
    page = {**ctx, **extra}
    page["fill_error"] = page.pop("error", "")
    return page
