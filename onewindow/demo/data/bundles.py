"""The "一件事一次办" bundles the seeds name, as lists of demo item names.

``load_demo`` publishes them through the bundle services (``onewindow.bundles``). ``before``
and ``after`` are the visits / materials / days the seeds report where they report them
(the platform computes its own figures from the catalogue). ``promised`` is the bundle's
promised limit in working days; ``questions`` and ``when`` make the decision table: an item
named in ``when`` is conditional and included when one of its ``(question, answer)`` pairs
matches; ``droppable`` items may be dropped when refused; ``inspected`` items take part in
the joint site inspection; ``early`` items may be delivered before the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPEN_COMPANY = "营业执照设立登记"
OPEN_INDIVIDUAL = "个体工商户设立登记"
TAX = "一照一码户涉税信息确认"
SOCIAL = "单位参保登记（社会保险登记）"
SEAL = "印章刻制备案"
SIGN = "户外广告设施设置备案"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"
HEALTH_CHECK = "从业人员预防性健康检查及健康证明办理"
DRAINAGE = "城镇污水排入排水管网许可"
EIA_FORM = "建设项目环境影响登记表备案"


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    choices: tuple[str, ...] = ()  # empty: a yes/no question
    help_text: str = ""


@dataclass(frozen=True)
class Bundle:
    code: str
    name: str
    lead: str  # lead department (牵头部门)
    items: tuple[str, ...]
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    source: str = ""
    promised: int = 5
    questions: tuple[Question, ...] = ()
    when: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    droppable: tuple[str, ...] = (SIGN,)
    on_refusal: str = "continue_without"
    description: str = ""
    keywords: str = ""
    industry: str = ""  # 一业一证: the industry licence's name (blank: not an industry)


# Questions several bundles ask.
Q_SIGN = Question(
    "sign",
    "是否设置门头招牌或其他户外广告设施？",
    help_text="设置门头招牌、店招等小型户外设施的，需办理户外广告设施设置备案",
)
Q_STAFF = Question("staff", "是否招用员工？", help_text="招用员工的，需办理单位参保登记")
ON_SIGN = ((Q_SIGN.code, "yes"),)
ON_STAFF = ((Q_STAFF.code, "yes"),)
# Items whose department inspects the premises: one joint site inspection (联合踏勘) for all.
INSPECTED = frozenset(
    {
        FIRE,
        "公共场所卫生许可证核发",
        "药品零售企业经营许可证核发",
        "食品经营许可证核发",
        "高危险性体育项目（游泳）经营许可",
        "第三类医疗器械经营许可证核发",
    }
)
# Registration results the other departments need first: may be delivered before the rest.
EARLY = frozenset({OPEN_COMPANY, OPEN_INDIVIDUAL})


BUNDLES: list[Bundle] = [
    Bundle(
        "B01",
        "我要开理发店",
        "WSJKW",
        (OPEN_INDIVIDUAL, "公共场所卫生许可证核发", HEALTH_CHECK, SIGN, TAX, SOCIAL),
        source="涪陵区行政服务中心“我要开理发店”等203件“一件事”套餐：平均跑动7.8次→1次，"
        "材料21份→11份，时限26.8天→11.7天",
        before={"visits": 8, "materials": 21, "days": 27},
        after={"visits": 1, "materials": 11, "days": 12},
        promised=5,
        questions=(Q_SIGN, Q_STAFF),
        when={SIGN: ON_SIGN, SOCIAL: ON_STAFF},
        droppable=(SIGN,),
        description="个体理发店开业：营业执照、公共场所卫生许可、从业人员健康证明、招牌备案、涉税信息确认和社保登记一次申请，卫生健康委牵头",
        keywords="理发店 美发 理发 开店 个体户",
        industry="美容美发行业综合许可证",
    ),
    Bundle(
        "B02",
        "我要开药店",
        "SCJGJ",
        (
            OPEN_COMPANY,
            "药品零售企业经营许可证核发",
            "第二类医疗器械经营备案",
            HEALTH_CHECK,
            FIRE,
            TAX,
            SOCIAL,
        ),
        source="渝北区：开药房需《药品经营许可证》《医疗器械经营许可证》、营业执照、税务登记、"
        "卫生许可证、健康证，涉及卫生健康、市场监管、税务、社保、消防等部门；改革后15天办完，"
        "环节4个→1个，材料1份",
        after={"visits": 1, "days": 15},
        promised=8,
        questions=(Question("devices", "是否同时经营第二类医疗器械（如血压计、血糖仪）？"),),
        when={"第二类医疗器械经营备案": (("devices", "yes"),)},
        droppable=("第二类医疗器械经营备案",),
        on_refusal="end_bundle",
        description="零售药店开业：营业执照、药品经营许可、医疗器械经营备案、健康证明、消防安全检查、涉税和社保一次申请，市场监管局牵头",
        keywords="药店 药房 药品零售 开药店",
        industry="药品零售行业综合许可证",
    ),
    Bundle(
        "B03",
        "我要开汽车维修店",
        "JTJ",
        (
            OPEN_COMPANY,
            "机动车维修经营备案",
            EIA_FORM,
            SIGN,
            DRAINAGE,
            SEAL,
            TAX,
            SOCIAL,
        ),
        source="涪陵区：开办汽修店改革前跑8次、材料20份、时限31天；改革后跑1次、材料15份、"
        "5个工作日内办结（布东瑞案例）",
        before={"visits": 8, "materials": 20, "days": 31},
        after={"visits": 1, "materials": 15, "days": 5},
        promised=3,
        questions=(Q_SIGN, Question("drain", "维修、洗车废水是否排入城镇排水管网？")),
        when={SIGN: ON_SIGN, DRAINAGE: (("drain", "yes"),)},
        droppable=(SIGN,),
        description="汽车维修店开业：营业执照、机动车维修经营备案、环评登记表备案、招牌备案、排水许可、印章、涉税和社保一次申请，交通局牵头",
        keywords="汽修 汽车维修 修车 洗车 开店",
    ),
    Bundle(
        "B04",
        "我要开餐馆",
        "SCJGJ",
        (OPEN_COMPANY, "食品经营许可证核发", FIRE, DRAINAGE, EIA_FORM, SIGN, SEAL, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：餐饮店",
        promised=7,
        questions=(
            Question(
                "kitchen",
                "经营项目",
                ("热食类制售（炒菜、火锅等）", "仅冷食、饮品制售"),
                "热食类制售产生油烟和含油废水，需办理环评登记表备案和排水许可",
            ),
            Q_SIGN,
        ),
        when={
            DRAINAGE: (("kitchen", "热食类制售（炒菜、火锅等）"),),
            EIA_FORM: (("kitchen", "热食类制售（炒菜、火锅等）"),),
            SIGN: ON_SIGN,
        },
        droppable=(SIGN,),
        on_refusal="end_bundle",
        description="餐馆开业：营业执照、食品经营许可、消防安全检查、排水许可、环评登记表、招牌、印章、涉税和社保一次申请，市场监管局牵头",
        keywords="餐馆 饭店 餐饮 小吃 火锅 开店",
        industry="餐饮行业综合许可证",
    ),
    Bundle(
        "B05",
        "我要开健身房",
        "WLW",
        (
            OPEN_COMPANY,
            "高危险性体育项目（游泳）经营许可",
            "公共场所卫生许可证核发",
            FIRE,
            "单用途商业预付卡发卡企业备案",
            SIGN,
            TAX,
            SOCIAL,
        ),
        source="渝北区“一件事一次办”高频套餐：健身房",
        promised=7,
        questions=(
            Question(
                "pool",
                "是否设置游泳池（馆）？",
                help_text="经营游泳项目的，需办理高危险性体育项目经营许可和公共场所卫生许可",
            ),
            Question("cards", "是否发售会员卡、储值卡等单用途预付卡？"),
            Q_SIGN,
        ),
        when={
            "高危险性体育项目（游泳）经营许可": (("pool", "yes"),),
            "公共场所卫生许可证核发": (("pool", "yes"),),
            "单用途商业预付卡发卡企业备案": (("cards", "yes"),),
            SIGN: ON_SIGN,
        },
        droppable=("单用途商业预付卡发卡企业备案", SIGN),
        description="健身房开业：营业执照、游泳等高危险性体育项目许可、公共场所卫生许可、消防安全检查、预付卡备案、招牌、涉税和社保一次申请，文化旅游委牵头",
        keywords="健身房 健身 游泳馆 会员卡 开店",
        industry="体育健身行业综合许可证",
    ),
    Bundle(
        "B06",
        "我要开服装店",
        "SCJGJ",
        (OPEN_INDIVIDUAL, SIGN, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：服装店",
        promised=0,
        questions=(Q_SIGN, Q_STAFF),
        when={SIGN: ON_SIGN, SOCIAL: ON_STAFF},
        droppable=(SIGN,),
        description="服装店开业：个体工商户登记、招牌备案、涉税信息确认和社保登记一次申请，市场监管局牵头",
        keywords="服装店 服饰 开店 个体户",
    ),
    Bundle(
        "B07",
        "我要开书店",
        "WLW",
        (OPEN_COMPANY, "出版物零售业务经营许可", SIGN, SEAL, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：书店",
        promised=3,
        questions=(Q_SIGN,),
        when={SIGN: ON_SIGN},
        droppable=(SIGN,),
        description="书店开业：营业执照、出版物零售经营许可、招牌备案、印章、涉税和社保一次申请，文化旅游委牵头",
        keywords="书店 图书 出版物 开店",
    ),
    Bundle(
        "B08",
        "我要开医疗器械公司",
        "SCJGJ",
        (
            OPEN_COMPANY,
            "第二类医疗器械经营备案",
            "第三类医疗器械经营许可证核发",
            "医疗器械网络销售备案",
            SEAL,
            TAX,
            SOCIAL,
        ),
        source="渝北区“一件事一次办”高频套餐：开医疗器械公司",
        promised=5,
        questions=(
            Question("class3", "是否经营第三类医疗器械？"),
            Question("online", "是否通过网络销售医疗器械？"),
        ),
        when={
            "第三类医疗器械经营许可证核发": (("class3", "yes"),),
            "医疗器械网络销售备案": (("online", "yes"),),
        },
        droppable=("医疗器械网络销售备案",),
        description="医疗器械经营企业开办：营业执照、第二类医疗器械经营备案、第三类医疗器械经营许可、网络销售备案、印章、涉税和社保一次申请，市场监管局牵头",
        keywords="医疗器械 器械公司 械字号 开公司",
    ),
]


def bundle_data(bundle: Bundle, code_of: dict[str, str]) -> dict[str, object]:
    """The bundle in the format of the bundle services (docs/bundles.md); ``code_of`` maps
    a demo item name to its implementation code."""
    rules: dict[tuple[str, str], list[str]] = {}
    for name, pairs in bundle.when.items():
        for question, answer in pairs:
            rules.setdefault((question, answer), []).append(code_of[name])
    return {
        "code": bundle.code,
        "kind": "enterprise_event",
        "lead_department": bundle.lead,
        "name": bundle.name,
        "description": bundle.description,
        "audience": "both",
        "keywords": bundle.keywords,
        "promised_limit": bundle.promised,
        "visits_required": 1,
        "on_refusal": bundle.on_refusal,
        "lead_note": "",
        "industry_licence": bool(bundle.industry),
        "industry_licence_name": bundle.industry,
        "members": [
            {
                "item": code_of[name],
                "required": name not in bundle.when,
                "essential": name not in bundle.droppable,
                "early_delivery": name in EARLY,
                "joint_inspection": name in INSPECTED,
            }
            for name in bundle.items
        ],
        "questions": [
            {
                "code": q.code,
                "text": q.text,
                "help_text": q.help_text,
                "type": "choice" if q.choices else "yes_no",
                "choices": list(q.choices),
            }
            for q in bundle.questions
        ],
        "rules": [{"question": q, "answer": a, "items": items} for (q, a), items in rules.items()],
    }
