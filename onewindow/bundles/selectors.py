"""Reads of bundles (DESIGN.md convention 2): the published list, the merged guide of a
bundle (for all its members or for the members an applicant's answers select), the
reduction figures and their aggregate.

A member follows its item's *current published* version; a member whose item is no longer
published is listed in ``Guide.unavailable`` and left out of the merge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from onewindow.bundles.decision import (
    QuestionSpec,
    RuleSpec,
    answer_label,
    decide,
    normalise_answers,
)
from onewindow.bundles.merge import (
    AggregateReduction,
    ConditionLine,
    FieldAsk,
    FieldConflict,
    ItemFigures,
    MaterialAsk,
    MergedField,
    MergedMaterial,
    Reduction,
    aggregate,
    limit_in_days,
    merge_conditions,
    merge_fields,
    merge_materials,
    reduction,
)
from onewindow.bundles.models import Bundle, BundleMember, BundleQuestion, BundleVersion
from onewindow.catalog.models import ItemField, ItemMaterial, ItemVersion, VersionStatus
from onewindow.catalog.selectors import AUDIENCE_SUBJECTS
from onewindow.common.errors import NotFound
from onewindow.org.models import Department

BUNDLE_NOT_FOUND = "未找到该套餐"


def _on_display() -> QuerySet[BundleVersion]:
    return BundleVersion.objects.filter(
        status=VersionStatus.PUBLISHED, bundle__current_version=F("pk")
    )


def published_bundles(
    q: str | None = None, *, audience: str | None = None
) -> QuerySet[BundleVersion]:
    """Every bundle on public display, filtered by keywords (all must match the name,
    keywords or description) and audience (``person``/``enterprise``)."""
    qs = (
        _on_display()
        .select_related("bundle__lead_department")
        .annotate(
            member_count=Count("members", distinct=True),
            department_count=Count("members__item__department", distinct=True),
        )
        .order_by("bundle__code")
    )
    for term in (q or "").split()[:8]:
        qs = qs.filter(
            Q(name__icontains=term) | Q(keywords__icontains=term) | Q(description__icontains=term)
        )
    if audience:
        qs = qs.filter(audience__in=AUDIENCE_SUBJECTS.get(audience, (audience,)))
    return qs


def _guide_queryset() -> QuerySet[BundleVersion]:
    current = "members__item__current_version"
    return BundleVersion.objects.select_related("bundle__lead_department").prefetch_related(
        "members__item__department",
        # Ordered within the version explicitly: the models' default ordering goes through
        # the version (and its item), a join and sort PostgreSQL plans badly on fresh tables.
        Prefetch(
            f"{current}__materials",
            queryset=ItemMaterial.objects.select_related("material_type").order_by("order", "id"),
        ),
        Prefetch(
            f"{current}__fields",
            queryset=ItemField.objects.select_related("field").order_by("order", "id"),
        ),
        "questions",
        "rules__question",
    )


def published_version(code: str) -> BundleVersion:
    """The published version of bundle ``code``, ready for ``build_guide``."""
    version = _guide_queryset().filter(pk__in=_on_display().values("pk"), bundle__code=code)
    found = version.first()
    if found is None:
        raise NotFound(BUNDLE_NOT_FOUND, fields={"code": [code]})
    return found


def version_for_guide(version: BundleVersion) -> BundleVersion:
    """Any version (a draft too) loaded with what ``build_guide`` reads."""
    return _guide_queryset().get(pk=version.pk)


@dataclass
class MemberView:
    member: BundleMember
    version: ItemVersion | None  # the item's current published version
    lead: bool
    triggers: list[str] = field(default_factory=list)  # "问题：回答" that include it

    @property
    def code(self) -> str:
        return self.member.item.code

    @property
    def name(self) -> str:
        return self.version.name if self.version is not None else self.member.item.code

    @property
    def department(self) -> Department:
        return self.member.item.department

    @property
    def promised_days(self) -> int:
        v = self.version
        return limit_in_days(v.promised_limit, v.limit_unit) if v is not None else 0

    @property
    def legal_days(self) -> int:
        v = self.version
        return limit_in_days(v.legal_limit, v.limit_unit) if v is not None else 0

    def figures(self) -> ItemFigures:
        v = self.version
        assert v is not None
        return ItemFigures(
            code=self.code,
            name=v.name,
            visits=v.visits_required,
            materials=sum(1 for m in v.materials.all() if m.required),
            fields=len(v.fields.all()),
            promised_days=self.promised_days,
            legal_days=self.legal_days,
        )


@dataclass
class QuestionView:
    question: BundleQuestion
    spec: QuestionSpec
    answer: str | None
    options: list[tuple[str, str]]  # (value, label)


@dataclass
class Guide:
    version: BundleVersion
    members: list[MemberView]  # every member whose item is published
    applicable: list[MemberView]  # those the guide is about (all when no answers)
    unavailable: list[MemberView]
    questions: list[QuestionView]
    answered: bool
    answers: dict[str, str]
    materials: list[MergedMaterial]
    fields: list[MergedField]
    conflicts: list[FieldConflict]
    conditions: list[ConditionLine]
    fee_total: Decimal
    reduction: Reduction

    @property
    def bundle(self) -> Bundle:
        return self.version.bundle

    @property
    def departments(self) -> list[Department]:
        return list({m.department.pk: m.department for m in self.applicable}.values())

    @property
    def required_materials(self) -> list[MergedMaterial]:
        return [m for m in self.materials if m.required]


def question_specs(version: BundleVersion) -> list[QuestionSpec]:
    return [
        QuestionSpec(q.code, q.text, q.type, tuple(q.choices or []))
        for q in version.questions.all()
    ]


def rule_specs(version: BundleVersion) -> list[RuleSpec]:
    return [RuleSpec(r.question.code, r.answer, r.member_id) for r in version.rules.all()]


def applicable_items(
    version: BundleVersion, answers: Mapping[str, Any], *, require_all: bool = False
) -> list[BundleMember]:
    """The members that apply to these answers: the required ones and the conditional ones
    a rule selects. Unknown questions or invalid answers raise ``ValidationFailed``."""
    clean = normalise_answers(question_specs(version), answers, require_all=require_all)
    members = list(version.members.all())
    keys = decide([(m.pk, m.required) for m in members], rule_specs(version), clean)
    chosen = set(keys)
    return [m for m in members if m.pk in chosen]


def merge_inputs(
    views: list[MemberView],
) -> tuple[list[MaterialAsk], list[FieldAsk], list[tuple[str, str]]]:
    materials: list[MaterialAsk] = []
    fields: list[FieldAsk] = []
    conditions: list[tuple[str, str]] = []
    for view in views:
        v = view.version
        assert v is not None
        for m in v.materials.all():
            materials.append(
                MaterialAsk(
                    item=view.code,
                    item_name=v.name,
                    code=m.material_type.code,
                    name=m.material_type.name,
                    required=m.required,
                    core=m.core,
                    originals=m.originals,
                    copies=m.copies,
                    paper_required=m.paper_required,
                    source=m.source,
                    requirements=m.requirements,
                )
            )
        for f in v.fields.all():
            d = f.field
            fields.append(
                FieldAsk(
                    item=view.code,
                    item_name=v.name,
                    code=d.code,
                    label=d.label,
                    type=d.type,
                    required=f.required,
                    base=dict(d.constraints or {}),
                    extra=dict(f.constraints or {}),
                    unit=d.unit,
                    help_text=d.help_text,
                )
            )
        conditions.append((v.name, v.conditions))
    return materials, fields, conditions


def build_guide(
    version: BundleVersion,
    answers: Mapping[str, Any] | None = None,
    *,
    require_all: bool = False,
) -> Guide:
    """The merged guide of ``version`` (loaded with ``published_version`` or
    ``version_for_guide``): for all members, or for those ``answers`` select."""
    lead_id = version.bundle.lead_department_id
    specs = question_specs(version)
    triggers: dict[int, list[str]] = {}
    by_code = {s.code: s for s in specs}
    for r in version.rules.all():
        spec = by_code[r.question.code]
        triggers.setdefault(r.member_id, []).append(
            f"{spec.text}（{answer_label(spec, r.answer)}）"
        )
    views: list[MemberView] = []
    unavailable: list[MemberView] = []
    for m in version.members.all():
        current = m.item.current_version if m.item.current_version_id else None
        view = MemberView(m, current, m.item.department_id == lead_id, triggers.get(m.pk, []))
        (views if current is not None else unavailable).append(view)
    answered = bool(answers) and any(str(v).strip() for v in (answers or {}).values())
    clean: dict[str, str] = {}
    if answers is not None:
        clean = normalise_answers(specs, answers, require_all=require_all)
    if answered or require_all:
        keys = set(
            decide([(v.member.pk, v.member.required) for v in views], rule_specs(version), clean)
        )
        applicable = [v for v in views if v.member.pk in keys]
    else:
        applicable = list(views)
    mats, flds, conds = merge_inputs(applicable)
    materials = merge_materials(mats)
    merged_fields, conflicts = merge_fields(flds)
    questions = [
        QuestionView(
            q,
            spec,
            clean.get(q.code),
            [(a, answer_label(spec, a)) for a in spec.answers()],
        )
        for q, spec in zip(version.questions.all(), specs, strict=True)
    ]
    return Guide(
        version=version,
        members=views,
        applicable=applicable,
        unavailable=unavailable,
        questions=questions,
        answered=answered,
        answers=clean,
        materials=materials,
        fields=merged_fields,
        conflicts=conflicts,
        conditions=merge_conditions(conds),
        fee_total=sum((v.version.fee_yuan for v in applicable if v.version), Decimal("0")),
        reduction=reduction(
            [v.figures() for v in applicable],
            merged_materials=sum(1 for m in materials if m.required),
            merged_fields=len(merged_fields),
            bundle_days=version.promised_limit,
            bundle_visits=version.visits_required,
        ),
    )


def bundle_guide(
    code: str, answers: Mapping[str, Any] | None = None, *, require_all: bool = False
) -> Guide:
    return build_guide(published_version(code), answers, require_all=require_all)


# The bundles know nothing of cases (DESIGN.md "Which way dependencies run"): the cases app
# registers the function that measures its concluded bundle cases
# (``onewindow.cases.bundle_selectors.measured_figures_for``, registered by cases.models).
_measured_source: list[Callable[[BundleVersion], dict[str, Any] | None]] = []


def set_measured_source(source: Callable[[BundleVersion], dict[str, Any] | None]) -> None:
    _measured_source[:] = [source]


def measured_figures(version: BundleVersion) -> dict[str, Any] | None:
    """The figures measured from real concluded bundle cases (actual visits, working days
    and uploaded materials per bundle case, next to the same items applied for
    separately). ``None`` while there are none (or no source is registered); the
    catalogue figures never stand in for them."""
    if not _measured_source:
        return None
    return _measured_source[0](version)


def published_guides() -> list[Guide]:
    versions = _guide_queryset().filter(pk__in=_on_display().values("pk")).order_by("bundle__code")
    return [build_guide(v) for v in versions]


def aggregate_reduction(guides: list[Guide] | None = None) -> AggregateReduction:
    """The reduction over every published bundle (all members of each)."""
    return aggregate([g.reduction for g in (guides if guides is not None else published_guides())])
