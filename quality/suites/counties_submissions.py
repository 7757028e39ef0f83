"""Suite ``counties/submissions``: one county form file as uploaded to a sub-centre drop folder.

The batch is one file: its bytes (empty? a spreadsheet at all? which encoding?), then its single data
row once the template is recognised. Every rule is file-scoped (a form file is one submission: it is
accepted or rejected whole) and is applied by ``ingestion/counties/intake.py``; the rejected file is
copied to ``lake/quarantine/counties/`` with a reason file, and the county's feedback report gives
``reason_zh``. ``sheet_renamed`` and ``old_template`` are warnings: the file is accepted and the
warning is recorded on it.
"""

from __future__ import annotations

from quality.rules import BLOCKING, FILE, WARNING, Rule, Suite

DATASET = "counties/submissions"


def _rule(code: str, severity: str, title: str, why: str, reason: str) -> Rule:
    return Rule(
        code=code, severity=severity, scope=FILE, acceptable=False, title=title, why=why, reason=reason
    )


SUITE = Suite(
    dataset=DATASET,
    partitioned=False,
    description="County sub-centre form files (xlsx / CSV): one file is one submission of a form for a period.",
    rules=(
        _rule(
            "empty_file",
            BLOCKING,
            "The file has content",
            "A 0-byte upload (or a sheet without a data row) carries no submission.",
            "{source_file} is empty: upload the filled-in form again",
        ),
        _rule(
            "not_spreadsheet",
            BLOCKING,
            "The file is a workbook or a CSV",
            "Only xlsx and CSV can be read; a PDF, a scan or a Word file has to be re-sent as the form.",
            "{source_file} is not an xlsx workbook or a CSV file ({detail})",
        ),
        _rule(
            "bad_encoding",
            BLOCKING,
            "A CSV is UTF-8 or GBK",
            "Guessing another encoding would land garbled names.",
            "{source_file} is neither UTF-8 nor GBK ({detail})",
        ),
        _rule(
            "unknown_template",
            BLOCKING,
            "The header is one of a form's template versions",
            "Without a known header the columns cannot be mapped to figures.",
            "{source_file}: no form template has the header {detail}",
        ),
        _rule(
            "multiple_rows",
            BLOCKING,
            "One data row per file",
            "A form file is one county's submission for one period.",
            "{source_file} has {detail} data rows; one is expected",
        ),
        _rule(
            "unknown_county",
            BLOCKING,
            "The county is one of Zhaotong's 11",
            "Figures must be attributed to a county (seeds/county_aliases.csv lists the spellings).",
            "{source_file}: county {detail!r} is not one of Zhaotong's counties",
        ),
        _rule(
            "wrong_folder",
            BLOCKING,
            "The file is for the county whose folder it is in",
            "A sub-centre submits only its own county's forms; a file for another county is not taken "
            "for either of them.",
            "{source_file} is for {detail} but was uploaded to the folder of {folder_county}",
        ),
        _rule(
            "bad_period",
            BLOCKING,
            "The period is one of the form's periods",
            "The period decides the expected submission it fulfils.",
            "{source_file}: period {detail!r} is not a period of this form",
        ),
        _rule(
            "missing_value",
            BLOCKING,
            "Every figure is filled in",
            "A blank figure is not zero; the form has to be completed.",
            "{source_file}: {detail} is blank",
        ),
        _rule(
            "non_numeric",
            BLOCKING,
            "Figures are numbers",
            "Text in a figure (a note, 'see attachment') cannot be counted or compared with other counties.",
            "{source_file}: {detail} is not a number",
        ),
        _rule(
            "negative_value",
            BLOCKING,
            "Figures are not negative",
            "Counts, areas and amounts cannot be negative; a minus sign is a typing error.",
            "{source_file}: {detail} is negative",
        ),
        _rule(
            "unknown_unit",
            BLOCKING,
            "Units are convertible",
            "A unit without a known conversion cannot be compared with the other counties'.",
            "{source_file}: unit {detail} is not known",
        ),
        _rule(
            "part_exceeds_total",
            BLOCKING,
            "A part is not above its total",
            "More sources online than in use (and the like) means a figure is wrong.",
            "{source_file}: a part exceeds its total ({detail})",
        ),
        _rule(
            "sheet_renamed",
            WARNING,
            "The workbook sheet has the form's name",
            "The sheet is found by its header, so a renamed sheet is read; the county is told.",
            "{source_file}: sheet {detail!r} read (the form's sheet name was changed)",
        ),
        _rule(
            "old_template",
            WARNING,
            "The current template version is used",
            "An older template version is still mapped by its header; the county is asked to switch.",
            "{source_file}: template {detail} used after a newer version was issued",
        ),
    ),
)

REASON_ZH = {
    "empty_file": "文件为空，请重新上传填写完整的报表",
    "not_spreadsheet": "文件不是 xlsx 工作簿或 CSV 文件，请按报表模板上传",
    "bad_encoding": "CSV 文件编码无法识别（应为 UTF-8 或 GBK）",
    "unknown_template": "表头与任何报表模板均不符，请使用下发的模板",
    "multiple_rows": "一个文件只能填报一个区县一个报送期的数据",
    "unknown_county": "区县名称无法识别",
    "wrong_folder": "文件所填区县与上传目录所属区县不符，请由本区县分中心上传",
    "bad_period": "报送期填写有误或不属于该报表的报送期",
    "missing_value": "有指标未填写",
    "non_numeric": "有指标填写的不是数字",
    "negative_value": "有指标为负数",
    "unknown_unit": "计量单位无法换算",
    "part_exceeds_total": "分项数大于总数，请核实后重新报送",
    "sheet_renamed": "工作表名称已被修改（已按表头读取）",
    "old_template": "使用了旧版模板（已按旧版表头读取），请改用新版模板",
    "duplicate": "与已接收的文件内容完全相同，未重复入库",
}
