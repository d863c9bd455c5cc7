"""Shared dictionaries of the demo catalogue: material types, form fields, themes.

Materials are referred to in the item tables by short ASCII keys (``"sfz"``, ``"yyzz"``);
each key maps to one material type code, a name from real service guides, the e-licence
type that can stand in for it (数据跑腿, 免提交) and the default originals/copies and
requirements a guide prints for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Material:
    key: str
    code: str
    name: str
    licence_type_code: str = ""
    originals: int = 0
    copies: int = 1
    requirements: str = ""
    description: str = ""


_M = Material
MATERIALS: list[Material] = [
    _M("sfz", "M0001", "居民身份证", "resident_id_card", 1, 0, "核验原件，不收取复印件"),
    _M("yyzz", "M0002", "营业执照", "business_licence", 0, 1, "加盖公章；可通过电子营业执照免提交"),
    _M(
        "cs",
        "M0003",
        "经营场所使用证明（房屋租赁合同或产权证明）",
        "",
        0,
        1,
        "自有房屋提供产权证明，租赁房屋提供租赁合同及出租方产权证明",
    ),
    _M("bdcz", "M0004", "不动产权证书", "real_estate_certificate", 1, 0, "核验原件"),
    _M("fddb", "M0005", "法定代表人（负责人）身份证明", "", 1, 0, "加盖公章"),
    _M(
        "jkz",
        "M0006",
        "从业人员健康证明",
        "health_certificate",
        0,
        1,
        "直接为顾客服务的从业人员均应取得，在有效期内",
    ),
    _M(
        "wszd",
        "M0007",
        "卫生管理制度",
        "",
        1,
        0,
        "包括卫生管理组织、消毒、清洁、从业人员健康管理等",
    ),
    _M(
        "pmt",
        "M0008",
        "经营场所平面布局图",
        "",
        1,
        0,
        "标明功能分区、面积、设施设备位置，申请人签字或盖章",
    ),
    _M(
        "xfhg",
        "M0009",
        "消防安全检查合格证明",
        "fire_safety_inspection",
        0,
        1,
        "属于公众聚集场所的提供；已实行告知承诺的可免提交",
    ),
    _M(
        "ysz",
        "M0010",
        "药学技术人员资格证明（执业药师注册证）",
        "licensed_pharmacist_certificate",
        0,
        1,
        "企业负责人、质量负责人及处方审核人员的资格证明",
    ),
    _M("zc", "M0011", "章程", "", 1, 0, "全体股东（发起人、会员）签署"),
    _M(
        "sqb", "M0012", "申请表（书）", "", 1, 0, "按本事项格式填写，网上申请的由系统生成，无需另交"
    ),
    _M(
        "tzr",
        "M0013",
        "股东（投资人）主体资格证明",
        "",
        0,
        1,
        "自然人股东提供身份证件，法人股东提供营业执照",
    ),
    _M("wts", "M0014", "授权委托书及受托人身份证明", "", 1, 0, "委托他人办理时提交"),
    _M(
        "spaq",
        "M0015",
        "食品安全管理制度",
        "",
        1,
        0,
        "含从业人员健康管理、进货查验、食品安全自查等制度",
    ),
    _M("sbqd", "M0016", "主要设施设备清单", "", 1, 0, "列明名称、数量、用途、位置"),
    _M(
        "zlzd",
        "M0017",
        "质量管理制度文件",
        "",
        1,
        0,
        "药品、医疗器械经营质量管理规范要求的制度及目录",
    ),
    _M("jsry", "M0018", "专业技术人员名单及资格证明", "", 0, 1, "学历、职称或执业资格证书"),
    _M(
        "ggt",
        "M0019",
        "户外广告（招牌）设置效果图及尺寸说明",
        "",
        1,
        0,
        "标明设置位置、尺寸、材质、照明方式的彩色效果图",
    ),
    _M("hpbgb", "M0020", "建设项目环境影响报告表", "", 1, 0, "由建设单位或委托的技术单位编制"),
    _M(
        "hpbgs",
        "M0021",
        "建设项目环境影响报告书",
        "",
        1,
        0,
        "由建设单位或委托的技术单位编制，附公众参与说明",
    ),
    _M(
        "psgw",
        "M0022",
        "排水户内部排水管网、专用检测井及排放口平面图",
        "",
        1,
        0,
        "标明污水预处理设施位置",
    ),
    _M("szjc", "M0023", "排水水质检测报告", "", 1, 0, "具备资质的检测机构出具，近3个月内"),
    _M(
        "ghxk",
        "M0024",
        "建设工程规划许可证",
        "construction_planning_permit",
        0,
        1,
        "可通过电子证照免提交",
    ),
    _M("sght", "M0025", "建筑工程施工合同", "", 0, 1, "中标或直接发包的施工合同"),
    _M("ydpz", "M0026", "建设用地批准文件（不动产权证书或用地批复）", "", 0, 1, ""),
    _M("hkb", "M0027", "居民户口簿", "household_register", 1, 0, "核验原件"),
    _M("jhz", "M0028", "结婚证", "marriage_certificate", 1, 0, "核验原件"),
    _M("csyx", "M0029", "出生医学证明", "birth_medical_certificate", 1, 0, "核验原件"),
    _M("zp", "M0030", "近期免冠照片", "", 2, 0, "近6个月内正面免冠彩色照片，可现场采集"),
    _M(
        "yhzh",
        "M0031",
        "本人银行账户（社会保障卡）信息",
        "social_security_card",
        0,
        1,
        "用于待遇发放",
    ),
    _M("ylpj", "M0032", "医疗费用票据及费用明细清单", "", 1, 0, "原件"),
    _M("zdzm", "M0033", "诊断证明或病历资料", "", 0, 1, "二级及以上医疗机构出具"),
    _M(
        "tyzm",
        "M0034",
        "退出现役证明",
        "veteran_discharge_certificate",
        0,
        1,
        "退役证、退伍证或退出现役证明书",
    ),
    _M("ldht", "M0035", "劳动合同", "", 0, 1, "用人单位与劳动者签订"),
    _M("mmht", "M0036", "不动产买卖合同", "", 1, 0, "网签合同，可通过部门共享免提交"),
    _M(
        "wspz",
        "M0037",
        "完税（减免税）凭证",
        "tax_payment_certificate",
        0,
        1,
        "可通过税务部门共享免提交",
    ),
    _M("dyht", "M0038", "抵押合同及主债权合同", "", 1, 0, ""),
    _M("chbg", "M0039", "不动产测绘报告（房产分户图、宗地图）", "", 1, 0, "具备资质的测绘单位出具"),
    _M("yljgsz", "M0040", "医疗机构设置批准书", "medical_institution_setup_approval", 0, 1, ""),
    _M(
        "yszs",
        "M0041",
        "医师（护士）执业证书或资格证书",
        "physician_practice_certificate",
        0,
        1,
        "",
    ),
    _M("tjbg", "M0042", "健康体检证明", "", 1, 0, "县级以上医疗机构出具，6个月内有效"),
    _M("xlzs", "M0043", "学历证书", "degree_certificate", 0, 1, "可通过学信网在线核验"),
    _M("jszg", "M0044", "教师资格考试合格证明", "", 0, 1, "可在线核验"),
    _M("pth", "M0045", "普通话水平测试等级证书", "", 0, 1, "可在线核验"),
    _M(
        "tyjl",
        "M0046",
        "社会体育指导人员和救助人员资格证明",
        "",
        0,
        1,
        "游泳救生员、社会体育指导员国家职业资格证书",
    ),
    _M(
        "wsjc",
        "M0047",
        "公共场所卫生检测（评价）报告",
        "",
        1,
        0,
        "空气、微小气候、水质、采光照明等检测报告",
    ),
    _M("aqzd", "M0048", "安全管理制度及应急预案", "", 1, 0, "含岗位责任、安全检查、突发事件处置"),
    _M("xszh", "M0049", "机动车行驶证", "vehicle_licence", 1, 0, ""),
    _M("jsz", "M0050", "机动车驾驶证", "driving_licence", 1, 0, ""),
    _M("jjzk", "M0051", "家庭经济状况核对授权书", "", 1, 0, "共同生活的家庭成员签字"),
    _M("swzm", "M0052", "居民死亡医学证明（推断）书", "death_medical_certificate", 1, 0, ""),
    _M(
        "xmba",
        "M0053",
        "投资项目备案证明或核准、审批文件",
        "investment_project_record",
        0,
        1,
        "可通过投资项目在线审批监管平台共享",
    ),
    _M("kybg", "M0054", "项目可行性研究报告（项目申请报告）", "", 1, 0, ""),
    _M("stbc", "M0055", "生产建设项目水土保持方案报告书（表）", "", 1, 0, ""),
    _M("szylz", "M0056", "建设项目水资源论证报告", "", 1, 0, ""),
    _M("aqpj", "M0057", "安全评价报告", "", 1, 0, "具备资质的安全评价机构出具"),
    _M("yfk", "M0058", "单用途预付卡预收资金存管协议", "", 0, 1, "与存管银行签订"),
    _M("qszm", "M0059", "清税证明", "tax_clearance_certificate", 0, 1, "可通过税务部门共享免提交"),
    _M("zxjy", "M0060", "清算报告及注销决议（决定）", "", 1, 0, "股东会决议或出资人决定"),
    _M("yzz", "M0061", "原许可证件正副本", "", 1, 0, "变更、延续、注销时交回或核验"),
    _M("bgzm", "M0062", "变更事项证明文件", "", 0, 1, "与变更内容相关的证明"),
    _M("ywzg", "M0063", "业务主管单位批准文件", "", 1, 0, ""),
    _M("zjzm", "M0064", "资产（注册资金）证明", "", 1, 0, "验资报告或资产评估报告"),
    _M("wfz", "M0065", "无犯罪记录证明", "no_criminal_record", 0, 1, "可通过公安部门共享免提交"),
    _M(
        "cns", "M0066", "告知承诺书", "", 1, 0, "申请人签署，承诺符合许可条件并在规定期限内补交材料"
    ),
    _M("cjz", "M0067", "残疾人证", "disability_certificate", 1, 0, ""),
    _M("cjpd", "M0068", "残疾评定表", "", 1, 0, "指定医疗机构出具"),
    _M(
        "zjdsq",
        "M0069",
        "农村宅基地和建房（规划许可）申请表",
        "",
        1,
        0,
        "附村民小组、村集体经济组织意见",
    ),
    _M("hxt", "M0070", "用地红线图（宗地图）", "", 1, 0, ""),
    _M("sjtz", "M0071", "设计图纸及技术文件", "", 1, 0, "施工图或设计方案"),
    _M("gssm", "M0072", "遗失声明或情况说明", "", 1, 0, ""),
    _M("rxzp", "M0073", "人像采集（现场拍照）", "", 0, 0, "在窗口或自助设备现场采集，无需自带照片"),
    _M("hjzm", "M0074", "户籍证明或迁移证明材料", "", 1, 0, ""),
    _M("zlqd", "M0075", "拟经营产品（项目）目录", "", 1, 0, ""),
    _M("ccss", "M0076", "仓储设施设备说明", "", 1, 0, "标明库房面积、温湿度控制、分区情况"),
    _M(
        "cyry",
        "M0077",
        "从业人员名单及资格证明",
        "",
        1,
        0,
        "含技术负责人、质量检验员、维修技术人员",
    ),
    _M("jcbg", "M0078", "检测（检验）报告", "", 1, 0, "具备资质的检验检测机构出具"),
    _M("gzfp", "M0079", "购置发票", "", 0, 1, "增值税发票，可通过税务部门共享核验"),
]
MATERIAL_BY_KEY: dict[str, Material] = {m.key: m for m in MATERIALS}


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    type: str
    constraints: dict[str, object]
    unit: str = ""
    help_text: str = ""


_F = Field
FIELDS: list[Field] = [
    _F("applicant_name", "申请人名称", "text", {"max_length": 128}),
    _F("uscc", "统一社会信用代码", "uscc", {}),
    _F("legal_representative", "法定代表人（负责人）", "text", {"max_length": 64}),
    _F("legal_representative_id", "法定代表人身份证号码", "resident_id", {}),
    _F("resident_id", "居民身份证号码", "resident_id", {}),
    _F("person_name", "姓名", "text", {"max_length": 64}),
    _F("gender", "性别", "choice", {"choices": ["男", "女"]}),
    _F("phone", "联系电话", "phone", {}),
    _F("contact_person", "联系人", "text", {"max_length": 64}),
    _F(
        "business_name",
        "名称（字号）",
        "text",
        {"max_length": 128},
        help_text="如：重庆示范顺达汽车维修有限公司",
    ),
    _F(
        "enterprise_type",
        "市场主体类型",
        "choice",
        {
            "choices": [
                "有限责任公司",
                "股份有限公司",
                "个人独资企业",
                "合伙企业",
                "个体工商户",
                "农民专业合作社",
            ]
        },
    ),
    _F("registered_capital", "注册资本", "decimal", {"min": 0, "max": 10000000}, unit="万元"),
    _F("business_address", "经营场所", "address", {"max_length": 255}),
    _F("residence_address", "住所（居住地址）", "address", {"max_length": 255}),
    _F("business_area_m2", "经营面积", "decimal", {"min": 1, "max": 1000000}, unit="m²"),
    _F("employees_count", "从业人员数", "integer", {"min": 0, "max": 100000}, unit="人"),
    _F("business_scope", "经营范围", "textarea", {"max_length": 2000}),
    _F(
        "food_business_items",
        "食品经营项目",
        "multi_choice",
        {
            "choices": [
                "预包装食品销售",
                "散装食品销售",
                "特殊食品销售",
                "热食类食品制售",
                "冷食类食品制售",
                "生食类食品制售",
                "糕点类食品制售",
                "自制饮品制售",
            ]
        },
    ),
    _F("seats_count", "就餐座位数", "integer", {"min": 0, "max": 10000}, unit="个"),
    _F(
        "public_place_type",
        "公共场所类别",
        "choice",
        {
            "choices": [
                "理发店",
                "美容店",
                "宾馆",
                "游泳场（馆）",
                "沐浴场所",
                "候车室",
                "影剧院",
                "歌舞厅",
                "其他",
            ]
        },
    ),
    _F("pharmacist_count", "执业药师人数", "integer", {"min": 0, "max": 1000}, unit="人"),
    _F(
        "medical_device_scope",
        "医疗器械经营范围",
        "textarea",
        {"max_length": 1000},
        help_text="按《医疗器械分类目录》填写分类编码及名称",
    ),
    _F(
        "repair_category",
        "机动车维修类别",
        "choice",
        {
            "choices": [
                "一类汽车维修",
                "二类汽车维修",
                "三类汽车维修（专项）",
                "摩托车维修",
                "危险货物运输车辆维修",
            ]
        },
    ),
    _F("sign_size", "招牌（广告）尺寸", "text", {"max_length": 64}, help_text="长×高，单位米"),
    _F("sign_location", "设置位置", "address", {"max_length": 255}),
    _F("drainage_volume_m3", "日排水量", "decimal", {"min": 0, "max": 1000000}, unit="m³/日"),
    _F(
        "publication_types",
        "出版物经营品种",
        "multi_choice",
        {"choices": ["图书", "报纸", "期刊", "音像制品", "电子出版物"]},
    ),
    _F(
        "sports_items",
        "高危险性体育项目",
        "multi_choice",
        {"choices": ["游泳", "高山滑雪", "自由式滑雪", "单板滑雪", "潜水", "攀岩"]},
    ),
    _F("prepaid_card_amount", "预收资金余额", "decimal", {"min": 0}, unit="万元"),
    _F("project_name", "项目名称", "text", {"max_length": 200}),
    _F(
        "project_code",
        "项目代码",
        "text",
        {"max_length": 32, "pattern": r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$"},
        help_text="投资项目统一代码，如 2026-500102-47-01-000123",
    ),
    _F("construction_address", "建设地点", "address", {"max_length": 255}),
    _F("building_area_m2", "建筑面积", "decimal", {"min": 0}, unit="m²"),
    _F("total_investment", "总投资", "decimal", {"min": 0}, unit="万元"),
    _F("contract_price", "合同价格", "decimal", {"min": 0}, unit="万元"),
    _F("property_address", "不动产坐落", "address", {"max_length": 255}),
    _F("property_cert_no", "不动产权证书号", "text", {"max_length": 64}),
    _F("vehicle_plate", "号牌号码", "text", {"max_length": 16}),
    _F("child_name", "子女姓名", "text", {"max_length": 64}),
    _F("child_birth_date", "出生日期", "date", {}),
    _F("marriage_date", "登记日期", "date", {}),
    _F("bank_name", "开户银行", "text", {"max_length": 64}),
    _F("bank_account", "银行账号", "text", {"max_length": 32, "pattern": r"^\d{8,30}$"}),
    _F(
        "disability_category",
        "残疾类别",
        "choice",
        {
            "choices": [
                "视力残疾",
                "听力残疾",
                "言语残疾",
                "肢体残疾",
                "智力残疾",
                "精神残疾",
                "多重残疾",
            ]
        },
    ),
    _F("household_address", "户籍地址", "address", {"max_length": 255}),
    _F("reason", "申请事由", "textarea", {"max_length": 1000}),
    _F("commitment_signed", "已签署告知承诺书", "boolean", {}),
    _F("destination", "前往国家（地区）", "text", {"max_length": 64}),
    _F("school_name", "学校名称", "text", {"max_length": 128}),
    _F("teaching_subject", "任教学科", "text", {"max_length": 32}),
]
FIELD_CODES = frozenset(f.code for f in FIELDS)


# Life events (个人办事) and enterprise events (企业办事) of the online hall.
THEMES: list[tuple[str, str, str]] = [
    ("P01", "生育收养", "person"),
    ("P02", "户籍办理", "person"),
    ("P03", "就业创业", "person"),
    ("P04", "社会保障", "person"),
    ("P05", "医疗卫生", "person"),
    ("P06", "婚姻登记", "person"),
    ("P07", "养老服务", "person"),
    ("P08", "住房保障", "person"),
    ("P09", "交通出行", "person"),
    ("P10", "残疾人服务", "person"),
    ("P11", "退役军人服务", "person"),
    ("P12", "教育", "person"),
    ("P13", "社会救助", "person"),
    ("P14", "出境入境", "person"),
    ("P15", "不动产登记", "person"),
    ("P16", "法律服务", "person"),
    ("E01", "企业开办", "enterprise"),
    ("E02", "准营准办", "enterprise"),
    ("E03", "工程建设", "enterprise"),
    ("E04", "纳税缴费", "enterprise"),
    ("E05", "员工招聘", "enterprise"),
    ("E06", "企业注销", "enterprise"),
    ("E07", "行业准入", "enterprise"),
    ("E08", "变更经营", "enterprise"),
    ("E09", "生态环保", "enterprise"),
    ("E10", "交通运输", "enterprise"),
]
THEME_CODES = frozenset(code for code, _, _ in THEMES)
