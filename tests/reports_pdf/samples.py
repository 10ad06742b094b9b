"""Hand-made content for the PDF tests and the benchmark (no database)."""
from __future__ import annotations

from datetime import date

from reports.pdf.builders import (
    OverdueSuggestion,
    build_quarterly_report,
    build_reminder_letter,
    build_service_receipt,
    build_suggestion_letter,
)
from reports.pdf.content import StatisticsRow

OFFICE = "临河县人民检察院"
RARE_NAMES = "王堃、李喆、张玥、刘䶮、陈𬌗"

ORIGIN = ("本院在履行公益诉讼检察职责中发现，你局在辖区饮用水水源地保护工作中存在未依法全面履行监督管理"
          "职责的情形。本院于2024年1月8日依法立案调查。")
FACTS = f"""一、基本情况
经调查查明：临河县城区饮用水水源地一级保护区内，现有养殖场3家、农家乐2家，日均排放未经处理的生活污水约12.5吨，群众{RARE_NAMES}等人多次向有关部门反映。
（一）水源地保护区内违法建设问题
1.养殖场未办理环境影响评价手续
（1）新建养殖场情况
（1）2023年5月，当地村民在一级保护区内新建养殖场一处，面积约600平方米。
（二）监督管理不到位。你局虽于2023年8月开展专项检查，但未对发现的问题依法作出处理，也未督促相关单位整改到位，致使水源地水质持续受到污染，国家利益和社会公共利益处于受侵害状态。
二、存在的问题
你局作为县级生态环境主管部门，对饮用水水源保护区负有监督管理职责，但未依法全面履职，导致上述违法行为持续存在，“一级保护区内禁止新建、改建、扩建与供水设施和保护水源无关的建设项目”的规定未得到有效落实。"""
LEGAL_BASIS = ("本院认为，根据《中华人民共和国水污染防治法》第六十五条第一款、《中华人民共和国行政诉讼法》"
               "第二十五条第四款、《人民检察院公益诉讼办案规则》第七十五条的规定，提出如下检察建议：")
ITEMS = (
    "依法对饮用水水源一级保护区内的违法建设项目进行全面排查，责令拆除或者关闭",
    "对日均排放未经处理生活污水的养殖场、农家乐依法作出处理，督促其限期整改",
    "建立健全饮用水水源地日常巡查和长效监管机制，防止类似问题反弹",
)
COPY_TO = ("临河市人民检察院", "临河县人民代表大会常务委员会", "临河县人民政府")


def suggestion_letter(**changes: object):
    values: dict[str, object] = dict(
        office_name=OFFICE, doc_no="临检行公建[2024]3号", addressee="临河县生态环境局", origin=ORIGIN,
        facts=FACTS, legal_basis=LEGAL_BASIS, items=ITEMS, signed_on=date(2024, 3, 5),
        reply_due=date(2024, 5, 6), objection_days=5, copy_to=COPY_TO)
    values.update(changes)
    return build_suggestion_letter(**values)  # type: ignore[arg-type]


def service_receipt():
    return build_service_receipt(office_name=OFFICE, document_title="检察建议书", doc_no="临检行公建〔2024〕3号",
                                 recipient="临河县生态环境局（负责人：赵玥）", address="临河县人民路18号",
                                 copies=1, service_method="宣告送达", note="宣告送达，县人大代表2名参加")


def reminder_letter():
    return build_reminder_letter(office_name=OFFICE, addressee="临河县生态环境局",
                                 suggestion_doc_no="临检行公建〔2024〕3号", issued_on=date(2024, 3, 5),
                                 served_on=date(2024, 3, 5), reply_due=date(2024, 5, 6),
                                 as_of=date(2024, 5, 20), signed_on=date(2024, 5, 20),
                                 doc_no="临检行公函〔2024〕12号", copy_to=("临河县人民政府",))


DOMAINS = ("生态环境和资源保护", "食品药品安全", "国有财产保护", "国有土地使用权出让", "英雄烈士权益保护",
           "未成年人保护", "安全生产", "个人信息保护", "文物和文化遗产保护", "妇女权益保障",
           "特定群体权益保障", "农产品质量安全", "反电信网络诈骗", "其他")


def quarterly_report():
    rows = [StatisticsRow(d, 10 + n, 6 + n % 4, 5 + n % 3, 4 + n % 3, 3 + n % 2, 2 + n % 2, 4 + n % 5)
            for n, d in enumerate(DOMAINS)]
    overdue = (OverdueSuggestion("临河县生态环境局", "临检行公建〔2024〕3号", date(2024, 5, 6), 14),
               OverdueSuggestion("临河县自然资源局", "临检行公建〔2024〕5号", date(2024, 3, 11), 20))
    return build_quarterly_report(office_name=OFFICE, government_name="临河县人民政府", year=2024, quarter=1,
                                  rows=rows, overdue=overdue, signed_on=date(2024, 4, 10),
                                  doc_no="临检〔2024〕21号", copy_to=("临河市人民检察院",))
