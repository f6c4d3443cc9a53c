"""Strings of meter readings and their import (services/meters.py, commands/meters.py)
and of the payment notice PDF (services/notice_pdf.py)."""

EN: dict[str, str] = {
    "meter.note_high": "{rate} kWh a day over {days} days, more than {factor} times the "
                       "usual {usual} kWh a day (its last {intervals} intervals between "
                       "readings): check the meter",
    "meter.note_low": "{rate} kWh a day over {days} days, less than a {factor}th of the "
                      "usual {usual} kWh a day (its last {intervals} intervals between "
                      "readings): check the meter",
    "meter.confirmed_note": "confirmed by {by} at {at}: {note}",
    "meters.imported": "{lines} line(s): {imported} reading(s) imported ({flagged} flagged "
                       "far off usual), {unchanged} already on record",
    "meters.none": "no meters",
    "meters.meter_line": "{tenant}  {meter} ({unit})  last {reading} kWh at {at}",
    "meters.reading_line": "#{id} {tenant} {meter} {reading} kWh at {at} ({kind})",
    "meters.kind.baseline": "baseline",
    "meters.kind.monthly": "monthly",
    "meters.kind.final": "final",
    "meters.kind.replacement": "replaced",
    "meters.flag.high": "HIGH, to confirm",
    "meters.flag.low": "LOW, to confirm",
    "cli.meter": "electricity meters and their readings",
    "cli.meter_import": "import monthly readings: CSV header tenant,meter,read_at,reading "
                        "(read_at YYYY-MM-DD = 00:00 that day, or ISO)",
    "cli.meter_read": "record one monthly reading: --tenant NAME --meter CODE --reading KWH",
    "cli.meter_add": "a meter for a tenant already in the building, with its baseline",
    "cli.meter_list": "meters in service, their last reading and flagged readings",
    "cli.meter_confirm": "confirm a reading flagged far off usual (engineering, manager)",
    "cli.meter_replace": "replace a meter: the old one's final reading, the new one's baseline",
    "cli.meter_at": "when the meter was read (ISO; default now)",
    "error.meter_no_tenant": "no tenant is registered as '{name}'",
    "error.meter_removed": "meter {meter} of {name} was removed on {at}: it takes no more readings",
    "error.meter_no_reading": "there is no meter reading #{id}",
    "error.meter_not_flagged": "reading #{id} is not flagged: there is nothing to confirm",
    "error.meter_tenant_gone": "{name} has moved out: no meter can be added",
    "error.meter_at_move_in": "{name} has not moved in yet: its meter's baseline is read "
                              "at move-in (deskapp move-in meter)",
    "error.meter_same_code": "the new meter must have its own code, not {meter}",
    "error.meter_reading_differs": "meter {meter} already has {reading} kWh at {at}; the file "
                                   "says {typed} kWh",
    "pdf.title": "Payment notice",
    "pdf.number": "No.",
    "pdf.tenant": "Tenant",
    "pdf.units": "Units",
    "pdf.month": "Month",
    "pdf.issued": "Issued on",
    "pdf.due": "Due by",
    "pdf.kind": "Item",
    "pdf.description": "Description",
    "pdf.quantity": "Quantity",
    "pdf.unit_price": "Unit price",
    "pdf.amount": "Amount (yuan)",
    "pdf.total": "Total",
    "pdf.paid": "Paid",
    "pdf.balance": "Balance due",
    "pdf.waived": "Waived",
    "pdf.late_fee": "Please pay by {due}. From {from_day} (the day after the due date and "
                    "{grace} days' grace) a late fee of {rate} per 10,000 of the amount "
                    "overdue accrues each day.",
    "pdf.font_missing": "no such file",
    "pdf.more_lines": "… and {count} more line(s), {amount} yuan (see the statement)",
    "error.pdf_no_font": "no Chinese font for the PDF: install the package fonts-droid-fallback "
                         "(apt-get install fonts-droid-fallback) or set DESKAPP_CJK_FONT to a "
                         "TrueType font file; nothing was written",
    "error.pdf_bad_font": "the font {path} cannot be used for the PDF ({detail}); nothing "
                          "was written",
    "error.pdf_cannot_write": "cannot write {path}: {reason}",
    "error.pdf_bad_month": "'{value}' is not a month (YYYY-MM)",
    "error.pdf_no_folder": "cannot write the PDF to '{path}': not a file in an existing folder",
}

ZH: dict[str, str] = {
    "meter.note_high": "{days} 天日均 {rate} 千瓦时，超过平时日均 {usual} 千瓦时（前 {intervals} "
                       "个抄表周期）的 {factor} 倍，请核查电表",
    "meter.note_low": "{days} 天日均 {rate} 千瓦时，不到平时日均 {usual} 千瓦时（前 {intervals} "
                      "个抄表周期）的 {factor} 分之一，请核查电表",
    "meter.confirmed_note": "{by} 于 {at} 核实：{note}",
    "meters.imported": "共 {lines} 行：导入读数 {imported} 条（其中 {flagged} 条偏离平时用量待核实），"
                       "{unchanged} 条已有记录",
    "meters.none": "没有电表",
    "meters.meter_line": "{tenant}  {meter}（{unit}）  最近读数 {reading} 千瓦时，{at}",
    "meters.reading_line": "#{id} {tenant} {meter} {reading} 千瓦时，{at}（{kind}）",
    "meters.kind.baseline": "底数",
    "meters.kind.monthly": "月度抄表",
    "meters.kind.final": "最终读数",
    "meters.kind.replacement": "换表读数",
    "meters.flag.high": "偏高，待核实",
    "meters.flag.low": "偏低，待核实",
    "cli.meter": "电表及其读数",
    "cli.meter_import": "导入月度抄表读数：CSV 表头 tenant,meter,read_at,reading"
                        "（read_at 写 YYYY-MM-DD 即当日 00:00，或 ISO 时间）",
    "cli.meter_read": "录入一条月度读数：--tenant 客户名 --meter 表号 --reading 千瓦时",
    "cli.meter_add": "为已入驻的客户登记电表及其底数",
    "cli.meter_list": "在用电表、最近读数及待核实的读数",
    "cli.meter_confirm": "核实偏离平时用量的读数（工程部、经理）",
    "cli.meter_replace": "更换电表：旧表最终读数、新表底数",
    "cli.meter_at": "抄表时间（ISO 格式；默认现在）",
    "error.meter_no_tenant": "没有登记名为「{name}」的客户",
    "error.meter_removed": "{name} 的电表 {meter} 已于 {at} 拆除，不能再录入读数",
    "error.meter_no_reading": "没有编号为 #{id} 的电表读数",
    "error.meter_not_flagged": "读数 #{id} 未被标记，无需核实",
    "error.meter_tenant_gone": "{name} 已迁出，不能登记电表",
    "error.meter_at_move_in": "{name} 尚未入驻：电表底数在入驻时登记（deskapp move-in meter）",
    "error.meter_same_code": "新电表须有自己的表号，不能沿用 {meter}",
    "error.meter_reading_differs": "电表 {meter} 在 {at} 已有读数 {reading} 千瓦时，文件中为 "
                                   "{typed} 千瓦时",
    "pdf.title": "缴费通知书",
    "pdf.number": "编号",
    "pdf.tenant": "客户",
    "pdf.units": "单元",
    "pdf.month": "月份",
    "pdf.issued": "开具日期",
    "pdf.due": "缴费截止日",
    "pdf.kind": "项目",
    "pdf.description": "说明",
    "pdf.quantity": "数量",
    "pdf.unit_price": "单价",
    "pdf.amount": "金额（元）",
    "pdf.total": "合计",
    "pdf.paid": "已付",
    "pdf.balance": "应付余额",
    "pdf.waived": "已减免",
    "pdf.late_fee": "请于 {due} 前缴纳。逾期宽限 {grace} 天，自 {from_day} 起按欠费金额每日"
                    "万分之 {rate} 计收滞纳金。",
    "pdf.font_missing": "文件不存在",
    "pdf.more_lines": "……另有 {count} 项，共 {amount} 元（详见对账单）",
    "error.pdf_no_font": "没有可用于 PDF 的中文字体：请安装 fonts-droid-fallback 软件包"
                         "（apt-get install fonts-droid-fallback），或将 DESKAPP_CJK_FONT 设为 "
                         "TrueType 字体文件；未写入任何文件",
    "error.pdf_bad_font": "字体 {path} 无法用于 PDF（{detail}）；未写入任何文件",
    "error.pdf_cannot_write": "无法写入 {path}：{reason}",
    "error.pdf_bad_month": "「{value}」不是月份（YYYY-MM）",
    "error.pdf_no_folder": "无法将 PDF 写入「{path}」：不是已有文件夹中的文件",
}
