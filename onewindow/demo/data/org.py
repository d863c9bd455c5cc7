"""The demo district's organisation: departments, service points, windows, people.

Modelled on the Chongqing districts of the seeds (涪陵, 渝北, 沙坪坝, 九龙坡, 南川, 巴南 ...):
a district centre (区政务服务中心) with universal windows, a 一件事专窗, a unified output
window, an assisted-handling window, a "办不成事" window and dedicated windows for the
police, real estate and social security; a construction-project hall and a tax hall as
sub-halls ("1+N"); town/street centres; village/community stations; post-office and bank
proxy points (政邮合作, 政银合作).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from onewindow.demo.data.codes import resident_id, uscc

AREA6 = "500102"
DEMO_PASSWORD = "Onewindow-2026"
OFFICE_HOURS = [["09:00", "12:00"], ["13:30", "17:00"]]
OFFICE_NOTE = "工作日上午9:00-12:00，下午13:30-17:00（法定节假日除外；24小时自助服务区全天开放）"


@dataclass(frozen=True)
class Dept:
    code: str
    name: str
    short_name: str
    number: int  # two-digit number used in the demo's basic item codes
    phone: str

    @property
    def uscc(self) -> str:
        return uscc("11", AREA6, f"00{9350 + self.number * 7:04d}{self.number:02d}")


# (code, name, short name, phone). Order is the display order.
_DEPARTMENTS = [
    ("SCJGJ", "区市场监管局", "市场监管", "023-68120301"),
    ("SWJ", "区税务局", "税务", "023-68120366"),
    ("WSJKW", "区卫生健康委", "卫生健康", "023-68120312"),
    ("RLSBJ", "区人力社保局", "人力社保", "023-68120333"),
    ("YBJ", "区医保局", "医保", "023-68120320"),
    ("GAFJ", "区公安分局", "公安", "023-68120110"),
    ("JTJ", "区交通局", "交通", "023-68120315"),
    ("ZJW", "区住房城乡建委", "住房城乡建设", "023-68120318"),
    ("GHZYJ", "区规划自然资源局", "规划自然资源", "023-68120319"),
    ("BDCZX", "区不动产登记中心", "不动产登记", "023-68120321"),
    ("STHJJ", "区生态环境局", "生态环境", "023-68120369"),
    ("CGJ", "区城市管理局", "城市管理", "023-68120358"),
    ("WLW", "区文化旅游委", "文化旅游", "023-68120325"),
    ("JW", "区教委", "教育", "023-68120326"),
    ("MZJ", "区民政局", "民政", "023-68120327"),
    ("NYW", "区农业农村委", "农业农村", "023-68120328"),
    ("SWW", "区商务委", "商务", "023-68120329"),
    ("YJJ", "区应急管理局", "应急管理", "023-68120350"),
    ("XFZD", "区消防救援支队", "消防救援", "023-68120119"),
    ("SLJ", "区水利局", "水利", "023-68120352"),
    ("CL", "区残联", "残联", "023-68120353"),
    ("TYJRJ", "区退役军人事务局", "退役军人事务", "023-68120354"),
    ("SFJ", "区司法局", "司法行政", "023-68120348"),
    ("FGW", "区发展改革委", "发展改革", "023-68120356"),
]

DEPARTMENTS: list[Dept] = [
    Dept(code=c, name=n, short_name=s, number=i, phone=p)
    for i, (c, n, s, p) in enumerate(_DEPARTMENTS, start=1)
]
DEPARTMENT_BY_CODE: dict[str, Dept] = {d.code: d for d in DEPARTMENTS}


@dataclass(frozen=True)
class Point:
    code: str
    name: str
    level: str
    parent: str | None
    address: str
    phone: str
    area_code: str = "500102000000"
    office_hours: list[list[str]] = field(default_factory=lambda: OFFICE_HOURS)
    opening_note: str = OFFICE_NOTE


_TOWNS = [
    # (code suffix, name, 12-digit area code, road)
    ("01", "城东街道", "500102001000", "城东大道88号"),
    ("02", "城西街道", "500102002000", "西山路16号"),
    ("03", "江北街道", "500102003000", "滨江路201号"),
    ("04", "新城街道", "500102004000", "太白大道9号"),
    ("05", "白鹤镇", "500102101000", "白鹤正街45号"),
    ("06", "青石镇", "500102102000", "青石老街2号"),
    ("07", "马鞍乡", "500102201000", "马鞍场镇南路7号"),
]

# (town index, village/community name)
_VILLAGES = [
    ("01", "玉屏社区"),
    ("01", "望江社区"),
    ("02", "西山社区"),
    ("02", "荔枝园社区"),
    ("03", "两江社区"),
    ("04", "太白社区"),
    ("05", "白鹤村"),
    ("05", "梨香村"),
    ("06", "青石村"),
    ("06", "龙桥村"),
    ("07", "马鞍村"),
    ("07", "双河村"),
]

TOWN_NAMES = {n: name for n, name, _area, _road in _TOWNS}
TOWN_HOURS_NOTE = "工作日上午9:00-12:00，下午13:30-17:00；逢场天延时服务"
VILLAGE_HOURS = [["09:00", "12:00"], ["14:00", "17:00"]]
VILLAGE_NOTE = "工作日上午9:00-12:00，下午14:00-17:00；行动不便群众可预约上门服务"

SERVICE_POINTS: list[Point] = [
    Point(
        "SP-D01",
        "示范区政务服务中心",
        "district",
        None,
        "示范区太白大道18号",
        "023-68120000",
    ),
    Point(
        "SP-D02",
        "示范区工程建设项目审批服务大厅",
        "district",
        None,
        "示范区太白大道18号政务服务中心三楼",
        "023-68120318",
    ),
    Point(
        "SP-D03",
        "示范区税务局办税服务厅",
        "district",
        None,
        "示范区太白大道18号政务服务中心二楼",
        "023-68120366",
    ),
    *(
        Point(
            f"SP-T{n}",
            f"示范区{name}便民服务中心",
            "town",
            "SP-D01",
            f"示范区{name}{road}",
            f"023-6812{n}00",
            area_code=area,
            opening_note=TOWN_HOURS_NOTE,
        )
        for n, name, area, road in _TOWNS
    ),
    *(
        Point(
            f"SP-V{i:02d}",
            f"{vname}便民服务站",
            "village",
            f"SP-T{town}",
            f"示范区{TOWN_NAMES[town]}{vname}党群服务中心",
            f"023-6813{i:02d}00",
            area_code=next(t[2] for t in _TOWNS if t[0] == town)[:9] + f"{200 + i:03d}",
            office_hours=VILLAGE_HOURS,
            opening_note=VILLAGE_NOTE,
        )
        for i, (town, vname) in enumerate(_VILLAGES, start=1)
    ),
    Point(
        "SP-P01",
        "中国邮政示范区城东支局政务服务点",
        "post",
        "SP-D01",
        "示范区城东大道120号",
        "023-68125001",
        opening_note="每日9:00-17:30（含周末）；代收代寄证照、代办社保医保业务",
    ),
    Point(
        "SP-P02",
        "中国邮政示范区白鹤邮政所政务服务点",
        "post",
        "SP-T05",
        "示范区白鹤正街12号",
        "023-68125002",
        opening_note="每日9:00-17:00（含周末）",
    ),
    Point(
        "SP-B01",
        "重庆农村商业银行示范区支行政务服务点",
        "bank",
        "SP-D01",
        "示范区太白大道66号",
        "023-68126001",
        opening_note="工作日9:00-17:00；社会保障卡即时制卡、个体工商户登记代办",
    ),
    Point(
        "SP-B02",
        "中国建设银行示范区新城支行政务服务点",
        "bank",
        "SP-T04",
        "示范区新城街道太白大道201号",
        "023-68126002",
        opening_note="工作日9:00-17:00；企业开办代办、税务自助办理",
    ),
]

TOWN_CODES = [f"SP-T{n}" for n, *_ in _TOWNS]
VILLAGE_CODES = [f"SP-V{i:02d}" for i in range(1, len(_VILLAGES) + 1)]
PROXY_CODES = ["SP-P01", "SP-P02", "SP-B01", "SP-B02"]


@dataclass(frozen=True)
class WindowSpec:
    point: str
    number: str
    name: str
    kind: str
    departments: tuple[str, ...] = ()


WINDOWS: list[WindowSpec] = [
    *(WindowSpec("SP-D01", str(n), f"综合受理窗口{n}", "universal") for n in range(1, 13)),
    WindowSpec("SP-D01", "13", "一件事专窗", "bundle", ("SCJGJ", "WSJKW", "SWJ", "RLSBJ")),
    WindowSpec("SP-D01", "14", "一件事专窗", "bundle", ("SCJGJ", "WSJKW", "SWJ", "RLSBJ")),
    WindowSpec("SP-D01", "15", "统一出件窗口", "output"),
    WindowSpec("SP-D01", "16", "帮办代办窗口", "help"),
    WindowSpec("SP-D01", "17", "办不成事反映窗口", "complaint"),
    WindowSpec("SP-D01", "18", "公安户政出入境窗口", "dedicated", ("GAFJ",)),
    WindowSpec("SP-D01", "19", "公安交管窗口", "dedicated", ("GAFJ",)),
    WindowSpec("SP-D01", "20", "不动产登记窗口", "dedicated", ("BDCZX", "SWJ")),
    WindowSpec("SP-D01", "21", "不动产登记窗口", "dedicated", ("BDCZX", "SWJ")),
    WindowSpec("SP-D01", "22", "社保窗口", "dedicated", ("RLSBJ",)),
    WindowSpec("SP-D01", "23", "医保窗口", "dedicated", ("YBJ",)),
    WindowSpec("SP-D01", "24", "市场监管首席代表窗口", "dedicated", ("SCJGJ",)),
    WindowSpec("SP-D01", "Y1", "预审窗口", "help"),
    WindowSpec("SP-D01", "Y2", "预审窗口", "help"),
    *(
        WindowSpec("SP-D02", str(n), f"工程建设项目综合受理窗口{n}", "universal")
        for n in range(1, 7)
    ),
    WindowSpec(
        "SP-D02", "7", "工程建设项目统一出件窗口", "output", ("ZJW", "GHZYJ", "STHJJ", "CGJ")
    ),
    WindowSpec("SP-D02", "8", "项目管家帮办代办窗口", "help"),
    *(WindowSpec("SP-D03", str(n), f"办税窗口{n}", "dedicated", ("SWJ",)) for n in range(1, 5)),
    *(
        spec
        for code in TOWN_CODES
        for spec in (
            WindowSpec(code, "1", "综合受理窗口1", "universal"),
            WindowSpec(code, "2", "综合受理窗口2", "universal"),
            WindowSpec(code, "3", "社保医保民政窗口", "dedicated", ("RLSBJ", "YBJ", "MZJ")),
            WindowSpec(code, "4", "帮办代办窗口", "help"),
        )
    ),
    *(WindowSpec(code, "1", "代办窗口", "universal") for code in VILLAGE_CODES),
    *(WindowSpec(code, "1", "政务代办窗口", "help") for code in PROXY_CODES),
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    phone: str
    # (role, department code or None, service point code or None)
    roles: tuple[tuple[str, str | None, str | None], ...]
    note: str = ""


STAFF: list[StaffSpec] = [
    StaffSpec(
        "lisi",
        "李四",
        "13800000002",
        (("window_clerk", None, "SP-D01"),),
        "综合受理窗口（无差别受理）",
    ),
    StaffSpec(
        "wangwu",
        "王五",
        "13800000003",
        (("approver", "SCJGJ", None),),
        "区市场监管局审批人员",
    ),
    StaffSpec(
        "zhaoliu",
        "赵六",
        "13800000004",
        (("supervisor", None, None),),
        "区政务服务中心督查（红黄绿三色管理）",
    ),
    StaffSpec(
        "sunli",
        "孙丽",
        "13800000011",
        (("section_chief", "SCJGJ", None),),
        "区市场监管局行政审批科科长",
    ),
    StaffSpec(
        "zhouqiang",
        "周强",
        "13800000012",
        (("chief_representative", "SCJGJ", "SP-D01"),),
        "区市场监管局首席代表（持授权书，一人一章）",
    ),
    StaffSpec(
        "wumin",
        "吴敏",
        "13800000013",
        (("centre_admin", None, None),),
        "区政务服务中心管理员",
    ),
    StaffSpec(
        "zhenghua",
        "郑华",
        "13800000014",
        (("department_admin", "SCJGJ", None),),
        "区市场监管局部门管理员",
    ),
    StaffSpec(
        "fengjing",
        "冯静",
        "13800000015",
        (("department_admin", "WSJKW", None),),
        "区卫生健康委部门管理员",
    ),
    StaffSpec(
        "chenchen",
        "陈晨",
        "13800000016",
        (("pre_reviewer", None, "SP-D01"),),
        "预审窗口（先预审、后排队）",
    ),
    StaffSpec(
        "hanmei",
        "韩梅",
        "13800000017",
        (("approver", "WSJKW", None), ("section_chief", "WSJKW", None)),
        "区卫生健康委审批科科长",
    ),
    StaffSpec(
        "jiangfang",
        "蒋芳",
        "13800000018",
        (("window_clerk", None, "SP-T01"),),
        "城东街道便民服务中心综合窗口",
    ),
]


@dataclass(frozen=True)
class ApplicantSpec:
    username: str
    display_name: str
    phone: str
    kind: str
    name: str
    resident_id: str = ""
    uscc: str = ""
    legal_representative: str = ""
    note: str = ""


ZHANGSAN_ID = resident_id(AREA6, "19850615", "013")
QIANQI_ID = resident_id(AREA6, "19920308", "024")
SHUNDA_USCC = uscc("91", AREA6, "MA60R2K7")

APPLICANTS: list[ApplicantSpec] = [
    ApplicantSpec(
        "zhangsan",
        "张三",
        "13900000001",
        "natural",
        "张三",
        resident_id=ZHANGSAN_ID,
        note="自然人申请人",
    ),
    ApplicantSpec(
        "qianqi",
        "钱七",
        "13900000007",
        "natural",
        "钱七",
        resident_id=QIANQI_ID,
        note="另一位自然人申请人（无权查看他人办件）",
    ),
    ApplicantSpec(
        "shunda",
        "孙建国",
        "13900000008",
        "legal",
        "重庆示范顺达汽车维修有限公司",
        uscc=SHUNDA_USCC,
        legal_representative="孙建国",
        note="企业申请人（法定代表人孙建国）",
    ),
]


@dataclass(frozen=True)
class LinkedApplicantSpec:
    """A further applicant an account acts for (e.g. 张三's own individual business)."""

    username: str  # the account (of APPLICANTS) linked to this applicant
    kind: str
    name: str
    uscc: str
    legal_representative: str
    phone: str = ""
    address: str = ""
    note: str = ""


# 个体工商户: registration authority 9 (工商), category 2 (个体工商户).
BARBER_USCC = uscc("92", AREA6, "60318852")

LINKED_APPLICANTS: list[LinkedApplicantSpec] = [
    LinkedApplicantSpec(
        "zhangsan",
        "legal",
        "张三理发店",
        uscc=BARBER_USCC,
        legal_representative="张三",
        phone="13900000001",
        address="示范区城东街道城东大道96号",
        note="张三经营的个体工商户（理发店），用于公共场所卫生许可等企业事项",
    ),
]

# The authorisation letter (授权书) of 区市场监管局 to its chief representative: final
# decision over its simple items (two steps, decided on the spot; 一人一章).
LETTER_NUMBER = "示市监授〔2026〕1号"
LETTER_DEPARTMENT = "SCJGJ"
LETTER_OFFICER = "zhouqiang"
LETTER_VALID_FROM = date(2026, 1, 1)
LETTER_VALID_UNTIL = date(2027, 12, 31)
LETTER_NOTE = "授权首席代表对本局简单事项行使审批决定权，使用行政审批专用章当场办结（一人一章）。"
