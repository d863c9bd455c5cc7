"""Legal bases and fees shared by several item tables."""

from __future__ import annotations

SAMR_REG = "《中华人民共和国市场主体登记管理条例》第十九条"
SI_LAW = "《中华人民共和国社会保险法》"
HUKOU = "《中华人民共和国户口登记条例》"
REAL_ESTATE = "《不动产登记暂行条例》第三条、第二十条；《不动产登记暂行条例实施细则》"
RE_FEE = "住宅类不动产登记收费标准为每件80元，非住宅类每件550元（含第一本证书工本费）"
RE_FEE_BASIS = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)
# 30 working days × 6.5 office hours (09:00-12:00, 13:30-17:00) = 195 working hours.
RE_LEGAL_HOURS = 195
