"""The catalogue of service items (政务服务事项), versioned.

``ServiceItem`` is the stable identity of an item (its code and owning department).
Everything a guide shows lives on ``ItemVersion``: a draft is edited, reviewed and published;
publishing supersedes the previous published version. Cases keep the version they were
accepted under. The published list at any instant is the set of versions with
``published_at <= t < superseded_at``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.versioning import PublishableVersion, workflow_constraints
from onewindow.catalog.versioning import VersionStatus as VersionStatus  # re-exported
from onewindow.org.models import Department, ServicePoint


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    BENEFIT = "benefit", _("行政给付")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    FILING = "filing", _("备案")
    OTHER = "other", _("其他行政权力")


class HandlingLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇街级")
    VILLAGE = "village", _("村（社区）级")


class LimitUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("工作日")
    WORKING_HOUR = "working_hour", _("工作小时")


class OnlineLevel(models.TextChoices):
    OFFLINE = "offline", _("不可网办")
    ONLINE_APPLICATION = "online_application", _("网上申请")
    FULLY_ONLINE = "fully_online", _("全程网办")


class SubjectType(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")
    BOTH = "both", _("自然人、法人")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    EXPRESS = "express", _("快递送达")
    ELECTRONIC = "electronic", _("电子送达")


class ThemeAudience(models.TextChoices):
    PERSON = "person", _("个人办事")
    ENTERPRISE = "enterprise", _("企业办事")


class Theme(models.Model):
    """A life event (个人: 生育, 就业, 养老...) or enterprise event (开办, 经营, 注销...)
    used to browse the hall."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    audience = models.CharField("服务对象", max_length=16, choices=ThemeAudience.choices)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["audience", "order", "code"]

    def __str__(self) -> str:
        return self.name


class MaterialType(models.Model):
    """A shared dictionary of material types, so that the same document asked by two items
    is recognised as one (bundles de-duplicate on it)."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("材料名称", max_length=128, unique=True)
    description = models.TextField("说明", blank=True)
    # The kind of e-licence that can stand in for this material (数据跑腿), if any.
    licence_type_code = models.CharField("对应电子证照类型", max_length=64, blank=True)

    class Meta:
        verbose_name = "材料类型"
        verbose_name_plural = "材料类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    TEXTAREA = "textarea", _("多行文本")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    MULTI_CHOICE = "multi_choice", _("多选")
    BOOLEAN = "boolean", _("是/否")
    RESIDENT_ID = "resident_id", _("居民身份证号码")
    USCC = "uscc", _("统一社会信用代码")
    PHONE = "phone", _("手机号码")
    ADDRESS = "address", _("地址")


class FieldDefinition(models.Model):
    """A shared dictionary of form fields. ``constraints`` holds the base rules:
    ``{"max_length": 64, "min": 0, "max": 10000, "choices": ["a", "b"], "pattern": "..."}``."""

    code = models.CharField("字段编码", max_length=64, unique=True)
    label = models.CharField("字段名称", max_length=64)
    type = models.CharField("类型", max_length=16, choices=FieldType.choices)
    constraints = models.JSONField("校验规则", default=dict, blank=True)
    unit = models.CharField("单位", max_length=16, blank=True)
    help_text = models.CharField("填写说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class ServiceItem(models.Model):
    """The stable identity of an item: its implementation code and owning department."""

    # Full implementation code (实施编码) following GB/T 39554.1-2020:
    # basic code - area code - 000 - implementing body USCC - business item - suffix.
    code = models.CharField("实施编码", max_length=80, unique=True)
    basic_code = models.CharField("基本编码", max_length=32, db_index=True)
    area_code = models.CharField("行政区划代码", max_length=12)
    department = models.ForeignKey(
        Department, verbose_name="实施主体", on_delete=models.PROTECT, related_name="items"
    )
    # Cached pointer to the version on public display (None until first published or after
    # the item is abolished). Kept by the publish service only.
    current_version = models.OneToOneField(
        "ItemVersion",
        verbose_name="当前发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version if self.current_version_id else None
        name = current.name if current is not None else ""
        return f"{self.code} {name}".strip()


class ItemVersion(PublishableVersion):
    """One version of an item's guide: everything the public and supervision need (the
    workflow fields come from ``PublishableVersion``)."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="versions"
    )

    name = models.CharField("事项名称", max_length=200, db_index=True)
    kind = models.CharField("事项类型", max_length=16, choices=ItemKind.choices)
    handling_level = models.CharField("办理层级", max_length=16, choices=HandlingLevel.choices)
    subject_type = models.CharField(
        "服务对象", max_length=16, choices=SubjectType.choices, default=SubjectType.BOTH
    )
    keywords = models.CharField("关键词", max_length=255, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name="主题", blank=True, related_name="versions")

    limit_unit = models.CharField(
        "时限单位", max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAY
    )
    legal_limit = models.PositiveIntegerField("法定时限")
    promised_limit = models.PositiveIntegerField("承诺时限")
    is_instant = models.BooleanField("即办件", default=False)
    visits_required = models.PositiveSmallIntegerField("到现场次数", default=1)
    online_level = models.CharField(
        "网办深度", max_length=24, choices=OnlineLevel.choices, default=OnlineLevel.OFFLINE
    )
    fee_yuan = models.DecimalField("收费金额（元）", max_digits=12, decimal_places=2, default=0)
    fee_basis = models.TextField("收费依据及标准", blank=True)
    legal_basis = models.TextField("设定依据")
    conditions = models.TextField("受理条件")
    delivery_methods = models.JSONField("送达方式", default=list)
    result_name = models.CharField("办理结果", max_length=128, blank=True)
    commitment_allowed = models.BooleanField("可告知承诺", default=False)
    cross_district = models.BooleanField("跨区县通办", default=False)
    cross_province = models.BooleanField("跨省通办", default=False)
    service_points = models.ManyToManyField(
        ServicePoint, verbose_name="办理网点", blank=True, related_name="item_versions"
    )
    consult_phone = models.CharField("咨询电话", max_length=64, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=64, blank=True)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            *workflow_constraints("item", "item"),
            models.CheckConstraint(
                condition=models.Q(promised_limit__lte=models.F("legal_limit")),
                name="item_promised_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def reduction_ratio(self) -> float | None:
        """How much shorter the promised limit is than the legal one (seeds: 77-83%)."""
        if not self.legal_limit:
            return None
        return 1 - self.promised_limit / self.legal_limit


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REVIEW = "review", _("审查")
    DECIDE = "decide", _("决定")
    CONCLUDE = "conclude", _("办结")


# Steps that are approval in substance: a filing (备案) may not carry them.
APPROVAL_STEP_KINDS = frozenset({StepKind.REVIEW, StepKind.DECIDE})


class ItemStep(models.Model):
    version = models.ForeignKey(
        ItemVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("环节类型", max_length=16, choices=StepKind.choices)
    name = models.CharField("环节名称", max_length=64)
    role = models.CharField("办理岗位", max_length=32, blank=True)
    limit = models.PositiveIntegerField("环节时限", null=True, blank=True)
    description = models.TextField("审查标准", blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="item_step_unique_order")
        ]

    def __str__(self) -> str:
        return self.name


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人提供")
    ELICENCE = "elicence", _("电子证照调取（免提交）")
    DEPARTMENT = "department", _("部门间共享（免提交）")


class ItemMaterial(models.Model):
    version = models.ForeignKey(
        ItemVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="materials"
    )
    material_type = models.ForeignKey(
        MaterialType, verbose_name="材料类型", on_delete=models.PROTECT, related_name="uses"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField("必要", default=True)
    core = models.BooleanField("核心要件", default=True)  # non-core may be missing: 容缺
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=1)
    paper_required = models.BooleanField("需纸质", default=False)
    source = models.CharField(
        "来源", max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    requirements = models.TextField("填报要求", blank=True)
    template = models.FileField("空白表格", upload_to="catalog/templates/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "material_type"], name="item_material_unique_type"
            )
        ]

    def __str__(self) -> str:
        return self.material_type.name


class ItemField(models.Model):
    """A field an item's form asks; ``constraints`` may tighten the dictionary's rules."""

    version = models.ForeignKey(
        ItemVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="fields"
    )
    field = models.ForeignKey(
        FieldDefinition, verbose_name="字段", on_delete=models.PROTECT, related_name="uses"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField("必填", default=True)
    constraints = models.JSONField("附加校验规则", default=dict, blank=True)

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "field"], name="item_field_unique")
        ]

    def __str__(self) -> str:
        return self.field.label
