"""Reads of the published catalogue (DESIGN.md convention 2): what the public sees.

Only the published version of each item is visible: a version whose status is
``published`` and that its item's ``current_version`` points at. Drafts, versions in review
and superseded versions never appear here, except through ``version_as_of`` which answers
"what did the guide say at that instant?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from onewindow.catalog.models import (
    HandlingLevel,
    ItemField,
    ItemKind,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    LimitUnit,
    MaterialSource,
    OnlineLevel,
    Theme,
    ThemeAudience,
    VersionStatus,
)
from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.org.models import Department, ServicePoint

ITEM_NOT_FOUND = "未找到该事项"
MAX_QUERY_TERMS = 8

# Which subject types serve an audience: a "both" item serves persons and enterprises.
AUDIENCE_SUBJECTS: dict[str, tuple[str, ...]] = {
    ThemeAudience.PERSON: ("natural", "both"),
    ThemeAudience.ENTERPRISE: ("legal", "both"),
}


def _on_display() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(status=VersionStatus.PUBLISHED, item__current_version=F("pk"))


def _zero_material() -> Any:
    """True when the applicant has nothing to hand in (零材料): no required material of
    theirs; e-licences and shared data are fetched by the centre."""
    return ~Exists(
        ItemMaterial.objects.filter(
            version=OuterRef("pk"), required=True, source=MaterialSource.APPLICANT
        )
    )


def published_versions() -> QuerySet[ItemVersion]:
    """Every item's version on public display, with what a result line needs
    (``zero_material`` annotated)."""
    return (
        _on_display()
        .select_related("item", "item__department")
        .annotate(zero_material=_zero_material())
    )


def _split_terms(q: str | None) -> list[str]:
    terms: list[str] = []
    for term in (q or "").split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def _check_choice(fields: dict[str, list[str]], name: str, value: str | None, choices: Any) -> None:
    if value and value not in choices.values:
        fields[name] = [f"不支持的取值：{value}"]


# Within one rank, an item's life comes in order: obtaining it first, then changing,
# renewing, cancelling (核发 before 变更, 延续, 注销), as people usually look for the first.
LIFECYCLE_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("变更", 1),
    ("延续", 2),
    ("换证", 2),
    ("补证", 3),
    ("补发", 3),
    ("注销", 4),
)


def _lifecycle_stage() -> Case:
    return Case(
        *(When(name__endswith=suffix, then=Value(stage)) for suffix, stage in LIFECYCLE_SUFFIXES),
        default=Value(0),
        output_field=IntegerField(),
    )


def search_items(
    q: str | None = None,
    *,
    department: str | None = None,
    theme: str | None = None,
    level: str | None = None,
    kind: str | None = None,
    online_level: str | None = None,
    audience: str | None = None,
) -> QuerySet[ItemVersion]:
    """Published items matching a Chinese keyword query and filters, best matches first.

    The query is split on whitespace; every term must occur in the item's name, its keywords,
    or its department's name. An exact name match ranks first, then names starting with the
    query (or its first term), then names containing every term, then the rest (matches on
    keywords or department only); within a rank, obtaining comes before changing, renewing
    and cancelling (``LIFECYCLE_SUFFIXES``). ``department`` and ``theme`` are codes; ``level``,
    ``kind``, ``online_level`` and ``audience`` (person/enterprise, by the item's subject
    type) are the model's choice values. Unknown choice values raise ``ValidationFailed``.
    """
    fields: dict[str, list[str]] = {}
    _check_choice(fields, "level", level, HandlingLevel)
    _check_choice(fields, "kind", kind, ItemKind)
    _check_choice(fields, "online_level", online_level, OnlineLevel)
    _check_choice(fields, "audience", audience, ThemeAudience)
    if fields:
        raise ValidationFailed("筛选条件不合法", fields=fields)

    qs = published_versions()
    terms = _split_terms(q)
    for term in terms:
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(keywords__icontains=term)
            | Q(item__department__name__icontains=term)
            | Q(item__department__short_name__icontains=term)
        )
    if department:
        qs = qs.filter(item__department__code=department)
    if theme:
        qs = qs.filter(
            Exists(
                ItemVersion.themes.through.objects.filter(
                    itemversion=OuterRef("pk"), theme__code=theme
                )
            )
        )
    if level:
        qs = qs.filter(handling_level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if audience:
        qs = qs.filter(subject_type__in=AUDIENCE_SUBJECTS[audience])

    if terms:
        phrase = " ".join(terms)
        all_in_name = Q()
        for term in terms:
            all_in_name &= Q(name__icontains=term)
        qs = qs.annotate(
            rank=Case(
                When(name=phrase, then=Value(0)),
                When(Q(name__startswith=phrase) | Q(name__startswith=terms[0]), then=Value(1)),
                When(all_in_name, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
            stage=_lifecycle_stage(),
        ).order_by("rank", "stage", "name", "item__code")
    else:
        qs = qs.order_by("item__department__order", "item__department__code", "name", "item__code")
    return qs


def _guide_prefetches() -> list[Prefetch[Any]]:
    return [
        Prefetch("steps", queryset=ItemStep.objects.order_by("order")),
        Prefetch(
            "materials",
            queryset=ItemMaterial.objects.select_related("material_type").order_by("order", "id"),
        ),
        Prefetch(
            "fields", queryset=ItemField.objects.select_related("field").order_by("order", "id")
        ),
        Prefetch("service_points", queryset=ServicePoint.objects.order_by("code")),
        Prefetch("themes", queryset=Theme.objects.order_by("audience", "order", "code")),
    ]


def item_guide(code: str) -> ItemVersion:
    """The published version of item ``code`` with everything its guide shows, prefetched.

    Raises ``NotFound`` (未找到该事项) for an unknown, unpublished or abolished item."""
    version = published_versions().filter(item__code=code).prefetch_related(*_guide_prefetches())
    found = version.first()
    if found is None:
        raise NotFound(ITEM_NOT_FOUND)
    return found


def version_as_of(code: str, at: datetime) -> ItemVersion:
    """The version of item ``code`` that was on public display at instant ``at``
    (``published_at <= at < superseded_at``), with its guide content prefetched."""
    qs = (
        ItemVersion.objects.filter(
            item__code=code, published_at__isnull=False, published_at__lte=at
        )
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=at))
        .exclude(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED])
        .select_related("item", "item__department")
        .prefetch_related(*_guide_prefetches())
        .order_by("-published_at", "-number")
    )
    found = qs.first()
    if found is None:
        raise NotFound(ITEM_NOT_FOUND)
    return found


def _published_count(prefix: str) -> Count:
    return Count(
        f"{prefix}",
        filter=Q(**{f"{prefix}__status": VersionStatus.PUBLISHED})
        & Q(**{f"{prefix}__item__current_version": F(f"{prefix}__pk")}),
        distinct=True,
    )


def departments_with_counts(*, include_empty: bool = False) -> QuerySet[Department]:
    """Active departments, each annotated with ``item_count`` (its published items)."""
    qs = Department.objects.filter(is_active=True).annotate(
        item_count=Count(
            "items",
            filter=Q(items__current_version__status=VersionStatus.PUBLISHED),
            distinct=True,
        )
    )
    if not include_empty:
        qs = qs.filter(item_count__gt=0)
    return qs.order_by("order", "code")


def themes_with_counts(
    audience: str | None = None, *, include_empty: bool = False
) -> QuerySet[Theme]:
    """Themes (life events / enterprise events), each annotated with ``item_count``."""
    qs = Theme.objects.all()
    if audience:
        if audience not in ThemeAudience.values:
            raise ValidationFailed(
                "筛选条件不合法", fields={"audience": [f"不支持的取值：{audience}"]}
            )
        qs = qs.filter(audience=audience)
    qs = qs.annotate(item_count=_published_count("versions"))
    if not include_empty:
        qs = qs.filter(item_count__gt=0)
    return qs.order_by("audience", "order", "code")


@dataclass(frozen=True)
class LevelCount:
    level: str
    label: str
    count: int


def level_counts() -> list[LevelCount]:
    """Published items per handling level, in the order district, town, village."""
    rows = dict(
        _on_display()
        .order_by()
        .values_list("handling_level")
        .annotate(n=Count("pk"))
        .values_list("handling_level", "n")
    )
    return [
        LevelCount(value, str(label), rows.get(value, 0)) for value, label in HandlingLevel.choices
    ]


@dataclass(frozen=True)
class CatalogueStats:
    items: int
    fully_online: int
    instant: int
    zero_material: int
    commitment: int
    cross_province: int
    # Mean over items of (1 - promised/legal): unit-free, so hour- and day-limited items mix.
    average_reduction: float | None
    # 1 - Σpromised/Σlegal over working-day items (how the seeds report "77.1%").
    total_reduction: float | None

    @property
    def fully_online_share(self) -> float | None:
        return self.fully_online / self.items if self.items else None


def catalogue_stats() -> CatalogueStats:
    """The figures of the published catalogue, in one aggregate query."""
    ratio = Case(
        When(
            legal_limit__gt=0,
            then=Value(1.0)
            - Cast("promised_limit", FloatField()) / Cast("legal_limit", FloatField()),
        ),
        default=None,
        output_field=FloatField(),
    )
    day = Q(limit_unit=LimitUnit.WORKING_DAY)
    # Aggregates filter on the expression itself: an annotation of Exists is not carried
    # into the aggregate's subquery.
    agg = _on_display().aggregate(
        items=Count("pk"),
        fully_online=Count("pk", filter=Q(online_level=OnlineLevel.FULLY_ONLINE)),
        instant=Count("pk", filter=Q(is_instant=True)),
        zero_material=Count("pk", filter=_zero_material()),
        commitment=Count("pk", filter=Q(commitment_allowed=True)),
        cross_province=Count("pk", filter=Q(cross_province=True)),
        ratio_sum=Sum(ratio),
        ratio_n=Count("pk", filter=Q(legal_limit__gt=0)),
        legal_days=Sum("legal_limit", filter=day),
        promised_days=Sum("promised_limit", filter=day),
    )
    ratio_n = agg["ratio_n"] or 0
    legal_days = agg["legal_days"] or 0
    return CatalogueStats(
        items=agg["items"],
        fully_online=agg["fully_online"],
        instant=agg["instant"],
        zero_material=agg["zero_material"],
        commitment=agg["commitment"],
        cross_province=agg["cross_province"],
        average_reduction=(agg["ratio_sum"] / ratio_n) if ratio_n else None,
        total_reduction=(1 - (agg["promised_days"] or 0) / legal_days) if legal_days else None,
    )
