"""A realistic fictional 检察建议台账 as an office keeps it: title rows, header variants, dates in every
style, merged cells, a 备注 column and a stray note; plus small 案件 and 单位 lists."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from tests.reports_xlsx.builders import workbook_bytes

UNITS = ["××县自然资源和规划局", "××县生态环境分局", "××县市场监督管理局", "××县农业农村局", "××县水利局",
         "××县住房和城乡建设局", "××县应急管理局", "××县卫生健康委员会"]
DOMAINS = ["生态环境和资源保护", "食品药品安全", "国有财产保护", "安全生产", "国有土地使用权出让"]
HEADER = ["序号", "建议书文号", "案号", "案由", "类别", "办案部门", "承办检察官", "建议对象", "发出日期", "签收日期",
          "回复期限", "回复日期", "是否采纳", "整改情况", "备注"]


def date_style(day: dt.date, index: int) -> object:
    """The five ways the same date is typed in one office's ledger over the years."""
    style = index % 5
    if style == 0:
        return dt.datetime(day.year, day.month, day.day)
    if style == 1:
        return f"{day.year}.{day.month}.{day.day}"
    if style == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 3:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def ledger_rows(count: int = 25) -> list[dict[str, object]]:
    """The facts of each row (what the database must hold after the import)."""
    rows = []
    for index in range(count):
        issued = dt.date(2023, 1, 5) + dt.timedelta(days=13 * index)
        served = issued + dt.timedelta(days=index % 4)
        replied = served + dt.timedelta(days=40 + index % 30) if index % 3 != 2 else None
        rows.append({
            "doc_no": f"××检行公建〔2023〕{index + 1}号",
            "case_no": f"××检行公立〔2023〕{100 + index}号",
            "case_title": f"督促整治第{index + 1}处公益受损问题案",
            "domain": DOMAINS[(index // 3) % len(DOMAINS)],
            "department": "第五检察部" if index % 2 == 0 else "第四检察部",
            "handler": ["张三", "李四", "王五"][index % 3],
            "addressee": UNITS[(index // 2) % len(UNITS)],
            "issued_on": issued, "served_on": served, "replied_on": replied,
            "adoption": ("采纳" if index % 4 else "部分采纳") if replied else "",
            "rectification": ("已整改" if index % 2 else "整改中") if replied else "",
        })
    return rows


def ledger_xlsx(count: int = 25, wrong_due_row: int | None = 4) -> bytes:
    from models.rules.deadlines import reply_due
    from models.rules.holidays import HolidayCalendar

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2023年台账"
    sheet.append(["××县人民检察院检察建议台账（2023年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["填报单位：第五检察部", None, None, None, None, None, None, None, None, None, None, None, "单位：件"])
    sheet.append(HEADER)
    facts = ledger_rows(count)
    for index, row in enumerate(facts):
        due = reply_due(row["served_on"], calendar=HolidayCalendar.load_default())  # type: ignore[arg-type]
        if wrong_due_row == index:
            due = due + dt.timedelta(days=3)  # a clerk's miscount the import must report
        replied = row["replied_on"]
        sheet.append([index + 1, row["doc_no"], row["case_no"], row["case_title"], row["domain"], row["department"],
                      row["handler"], row["addressee"], date_style(row["issued_on"], index),  # type: ignore[arg-type]
                      date_style(row["served_on"], index + 1), date_style(due, index + 2),  # type: ignore[arg-type]
                      date_style(replied, index + 3) if replied else None,  # type: ignore[arg-type]
                      row["adoption"] or None, row["rectification"] or None,
                      "已回头看" if index == 7 else None])
    # two consecutive rows with the same 建议对象 merged, as offices do
    for first in range(4, 4 + count - 1, 2):
        if facts[first - 4]["addressee"] == facts[first - 3]["addressee"]:
            sheet.cell(first + 1, 8).value = None
            sheet.merge_cells(start_row=first, start_column=8, end_row=first + 1, end_column=8)
    sheet.append([])
    sheet.append(["注：本台账由第五检察部按月更新。"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(HEADER))
    return workbook_bytes(workbook)


def cases_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2023年公益诉讼线索及案件登记表"])
    sheet.append(["序号", "案号", "案件名称", "案件类型", "线索来源", "领域", "受理日期", "立案日期", "承办人", "办案部门",
                  "办理状态", "备注"])
    sheet.append([1, "××检行公立〔2023〕1号", "某河道非法采砂案", "行政公益诉讼", "12345热线", "生态环境和资源保护",
                  "2023.2.1", dt.datetime(2023, 2, 20), "张三", "第五检察部", "诉前程序", None])
    sheet.append([2, None, "某小区燃气管道隐患线索", "线索", "自行发现", "安全生产", "2023年3月8日", None, "李四",
                  "第五检察部", "初核", "需现场勘查"])
    sheet.append([3, "××检行公立〔2023〕2号", "某校园周边食品安全案", "行政公益", "益心为公", "食品药品安全", "2023/4/2",
                  "2023-04-10", "王五", "第五检察部", "立案", None])
    return workbook_bytes(workbook)


def units_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["府检联动成员单位联络员名录"])
    sheet.append(["序号", "单位名称", "简称", "联络员", "联系电话", "备注"])
    sheet.append([1, "××县人民政府办公室", "县政府办", "赵六", 13800000001, None])
    sheet.append([2, "××县司法局", "县司法局", "钱七", "0557-1234567", "府检联动办公室"])
    sheet.append([3, "××县人民检察院", "县检察院", "孙八", 13900000002, None])
    sheet.append([4, "××县人民法院", None, "周九", None, None])
    return workbook_bytes(workbook)
