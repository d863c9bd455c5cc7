"""The "一件事一次办" bundles the seeds name, as lists of demo item names.

The catalogue has no bundle model yet; these lists are what a bundle engine will load, and
what the demo tests use to check that every item each bundle needs exists. ``before`` and
``after`` are the visits / materials / days the seeds report where they report them.
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
class Bundle:
    code: str
    name: str
    lead: str  # lead department (牵头部门)
    items: tuple[str, ...]
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    source: str = ""


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
    ),
    Bundle(
        "B04",
        "我要开餐馆",
        "SCJGJ",
        (OPEN_COMPANY, "食品经营许可证核发", FIRE, DRAINAGE, EIA_FORM, SIGN, SEAL, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：餐饮店",
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
    ),
    Bundle(
        "B06",
        "我要开服装店",
        "SCJGJ",
        (OPEN_INDIVIDUAL, SIGN, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：服装店",
    ),
    Bundle(
        "B07",
        "我要开书店",
        "WLW",
        (OPEN_COMPANY, "出版物零售业务经营许可", SIGN, SEAL, TAX, SOCIAL),
        source="渝北区“一件事一次办”高频套餐：书店",
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
    ),
]
