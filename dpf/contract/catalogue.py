"""The data contract (version 1) as Python: tables, codes, indicators and the 2024 targets.

Everything here mirrors docs/data-contract.md (same version); pages, queries, the demo generator,
the contract check and the import all read it from this one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

CONTRACT_VERSION = 1

# --- Tables -------------------------------------------------------------------------------

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "townships": pa.schema(
        [("code", pa.string()), ("name", pa.string()), ("kind", pa.string()), ("sort_order", pa.int32())]
    ),
    "persons": pa.schema(
        [
            ("person_key", pa.string()),
            ("township_code", pa.string()),
            ("sex", pa.string()),
            ("birth_year", pa.int16()),
            ("category", pa.int16()),
            ("grade", pa.int16()),
            ("certified_on", pa.date32()),
            ("cancelled_on", pa.date32()),
        ]
    ),
    "payments": pa.schema(
        [
            ("payment_id", pa.string()),
            ("program", pa.string()),
            ("person_key", pa.string()),
            ("project_key", pa.string()),
            ("township_code", pa.string()),
            ("period", pa.date32()),
            ("amount_yuan", pa.decimal128(12, 2)),
        ]
    ),
    "services": pa.schema(
        [
            ("service_id", pa.string()),
            ("service", pa.string()),
            ("person_key", pa.string()),
            ("township_code", pa.string()),
            ("served_on", pa.date32()),
            ("quantity", pa.int32()),
            ("batch", pa.string()),
            ("detail", pa.string()),
        ]
    ),
    "rehab_needs": pa.schema(
        [
            ("need_id", pa.string()),
            ("person_key", pa.string()),
            ("township_code", pa.string()),
            ("need", pa.string()),
            ("recorded_on", pa.date32()),
            ("met_on", pa.date32()),
        ]
    ),
    "satisfaction": pa.schema(
        [
            ("survey_id", pa.string()),
            ("person_key", pa.string()),
            ("township_code", pa.string()),
            ("surveyed_on", pa.date32()),
            ("satisfied", pa.bool_()),
        ]
    ),
    "targets": pa.schema(
        [
            ("year", pa.int16()),
            ("indicator", pa.string()),
            ("township_code", pa.string()),
            ("target", pa.float64()),
            ("note", pa.string()),
        ]
    ),
}
# Columns a table may carry beyond its schema (docs/data-contract.md, "optional columns"): the check accepts their
# absence, and checks their type when present; the tile map places each township at (grid_row, grid_col), the
# 应补尽补 coverage of 生活补贴 reads persons' hardship (低保或其他困难家庭; null = unknown).
OPTIONAL_COLUMNS: dict[str, pa.Schema] = {
    "townships": pa.schema([("grid_row", pa.int16()), ("grid_col", pa.int16())]),
    "persons": pa.schema([("hardship", pa.bool_())]),
}
GRID_COLUMNS = ("grid_row", "grid_col")
HARDSHIP_COLUMN = "hardship"
# Optional columns the dashboard binds as NULL when a table lacks them (or has them in a type the contract does not
# allow), so every query may name them: a NULL hardship is "unknown" (dpf.data.db).
NULL_WHEN_ABSENT: dict[str, tuple[str, ...]] = {"persons": (HARDSHIP_COLUMN,)}
# 重度残疾人护理补贴 is for these grades unless the manifest's nursing_subsidy_grades says otherwise (provinces differ).
DEFAULT_NURSING_GRADES = (1, 2)
REQUIRED_TABLES = ("townships", "persons", "payments", "services", "rehab_needs")
OPTIONAL_TABLES = ("satisfaction", "targets")
TABLE_NAMES_ZH = {
    "townships": "乡镇（街道）",
    "persons": "持证残疾人",
    "payments": "资金发放",
    "services": "服务记录",
    "rehab_needs": "康复需求",
    "satisfaction": "满意度回访",
    "targets": "年度目标",
}
PRIMARY_KEYS = {
    "townships": "code",
    "persons": "person_key",
    "payments": "payment_id",
    "services": "service_id",
    "rehab_needs": "need_id",
    "satisfaction": "survey_id",
}

TOWNSHIP_KINDS = ("街道", "镇", "乡")
SEXES = ("男", "女")
CATEGORIES = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

# --- Programmes, services, needs ----------------------------------------------------------


@dataclass(frozen=True)
class Program:
    code: str
    name: str
    unit: str  # how beneficiaries are counted: 人次, 人, 个 or 户
    group: str  # the programme group shown on the funds page
    short: str  # its label on cards, legends and column headers


PROGRAMS: tuple[Program, ...] = (
    Program("nursing_subsidy", "重度残疾人护理补贴", "人次", "两项补贴", "护理补贴"),
    Program("living_subsidy", "困难残疾人生活补贴", "人次", "两项补贴", "生活补贴"),
    Program("wheelchair_fuel", "残疾人机动轮椅车燃油补贴", "人", "燃油补贴", "燃油补贴"),
    Program("entrepreneurship", "残疾人就业创业扶持", "人", "就业创业扶持", "个人就业创业"),
    Program("sunshine_greenhouse", "“阳光大棚”项目扶持", "个", "就业创业扶持", "阳光大棚"),
    Program("assistance_base", "助残基地扶持", "个", "就业创业扶持", "助残基地"),
    Program("auxiliary_employment", "辅助性就业机构扶持", "个", "就业创业扶持", "辅助性就业机构"),
    Program("student_aid", "家庭困难残疾学生高等教育资助", "人", "教育资助", "教育资助"),
    Program("cochlear_implant", "人工耳蜗补贴", "人", "康复救助", "人工耳蜗"),
    Program("psychiatric_medication", "困难精神残疾人药费补助", "人", "康复救助", "精神残疾人药费"),
    Program("sunshine_home", "“阳光家园”托养补助", "人", "阳光家园托养", "阳光家园托养"),
    Program("accessibility_retrofit", "困难重度残疾人家庭无障碍改造", "户", "无障碍改造", "无障碍改造"),
)
PROGRAM_BY_CODE = {p.code: p for p in PROGRAMS}


def program_lists() -> dict[str, list[str]]:
    """The parallel programme lists queries/funds_by_program.sql takes (code -> group, counting unit)."""
    return {
        "programs": [p.code for p in PROGRAMS],
        "groups": [p.group for p in PROGRAMS],
        "units": [p.unit for p in PROGRAMS],
    }


PROGRAM_GROUPS = ("两项补贴", "就业创业扶持", "教育资助", "康复救助", "阳光家园托养", "无障碍改造", "燃油补贴")
PROJECT_PROGRAMS = frozenset(p.code for p in PROGRAMS if p.unit == "个")
MONTHLY_PROGRAMS = frozenset(p.code for p in PROGRAMS if p.unit == "人次")
# What a programme's count is, by its unit: 人次 = payment rows, 人/户 = distinct persons, 个 = distinct projects.
UNIT_MEASURES = {"人次": "rows", "人": "persons", "户": "persons", "个": "projects"}

SERVICES: dict[str, str] = {
    "vocational_training": "职业技能/农村实用技术培训",
    "job_registration": "就业登记",
    "job_fair": "专项招聘会",
    "job_intention": "达成就业意向",
    "policy_outreach": "惠残政策宣传",
    "assessment_centralized": "集中评残",
    "assessment_home": "上门评残",
    "certificate_issued": "办证/换证",
    "home_rehab": "家庭医生上门康复服务",
    "prosthesis_fitting": "残疾儿童假肢矫形器适配",
    "device_fitting": "残疾儿童辅助器具适配",
    "device_issued": "辅助器具发放",
    "child_rehab": "残疾儿童康复救助",
    "respite_care": "重度智力残疾人托养服务",
    "volunteer_activity": "志愿助残活动",
}
# Services that record an event rather than a person (person_key is null).
EVENT_SERVICES = frozenset({"job_fair", "policy_outreach", "assessment_centralized", "volunteer_activity"})
# What a township's figure of county-level events reads instead of a 0 (Indicator.county_level): in a table cell,
# and on a card as a short value with a note below it.
COUNTY_LEVEL_TEXT = "县级活动，不分乡镇"
COUNTY_LEVEL_VALUE, COUNTY_LEVEL_NOTE = "县级活动", "不分乡镇，只计入全县"

NEEDS: dict[str, str] = {
    "basic_medical": "基本医疗",
    "assistive_device": "辅助器具",
    "rehab_training": "康复训练",
    "nursing": "护理照料",
}

# --- Indicators ---------------------------------------------------------------------------

# What each source table's indicator query (queries/indicators_TABLE.sql) can count; an indicator picks one.
MEASURES: dict[str, tuple[str, ...]] = {
    "payments": ("amount", "rows", "persons", "projects"),  # 元; payment rows; distinct person_key / project_key
    "services": ("rows", "quantity", "persons", "batches"),  # rows; sum of quantity; distinct person_key / batch
    "rehab_needs": ("rows", "met_rate"),  # needs recorded; % of them met by the as-of date (the cut)
    "satisfaction": ("satisfied_rate",),  # % of the surveyed who were satisfied
    "persons": ("certified",),  # persons certified on the span's last day
}
RATE_MEASURES = frozenset({"met_rate", "satisfied_rate"})
# The codes an indicator of each table may count (its `sources`).
SOURCE_CODES: dict[str, tuple[str, ...]] = {
    "payments": tuple(p.code for p in PROGRAMS),
    "services": tuple(SERVICES),
    "rehab_needs": tuple(NEEDS),
}


@dataclass(frozen=True)
class Indicator:
    """One entry of the registry: everything pages, queries, targets and exports know about an indicator."""

    code: str
    name: str
    unit: str  # 元, 人次, 人, 个, 户, 期, 次, 家次, 场次, 份, 条, %, 例, 件, 小时
    definition: str
    table: str  # the source table it is computed from
    measure: str  # what is counted there (MEASURES[table])
    sources: tuple[str, ...] = ()  # the programmes / services / needs it counts; () = all of them
    short: str | None = None  # the card label where shorter than the name

    def __post_init__(self) -> None:
        if self.measure not in MEASURES.get(self.table, ()):
            raise ValueError(
                f"{self.code}: measure {self.measure!r} is not one of {self.table}'s {MEASURES.get(self.table)}"
            )
        if (self.measure in RATE_MEASURES) != (self.unit == "%"):
            raise ValueError(f"{self.code}: a rate measure goes with the unit %, a count with any other")
        unknown = set(self.sources) - set(SOURCE_CODES.get(self.table, ()))
        if unknown:
            raise ValueError(f"{self.code}: unknown {self.table} codes {sorted(unknown)}")

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def is_amount(self) -> bool:
        return self.unit == "元"

    @property
    def county_level(self) -> bool:
        """True when it counts only events (招聘会, 宣传, 集中评残, 志愿活动), held for the whole county and
        mostly without a township: a township's value leaves them out, so 0 there does not mean nothing was done."""
        return self.table == "services" and bool(self.sources) and set(self.sources) <= EVENT_SERVICES

    @property
    def label(self) -> str:
        """What a card calls it: the short label, else the name."""
        return self.short or self.name

    @property
    def month_basis(self) -> str | None:
        """What a month's figure counts where the difference matters: 本月新增 for distinct persons, projects and
        classes (first counted this year in the month, so the months add up to the year), 本月在册 for a monthly
        subsidy's 人次 (one a person a month: the persons on the roll), 月末 for a stock (certified persons)."""
        if self.measure in ("persons", "projects", "batches"):
            return "本月新增"
        if self.measure == "certified":
            return "月末"
        if (
            self.table == "payments"
            and self.measure == "rows"
            and self.sources
            and set(self.sources) <= MONTHLY_PROGRAMS
        ):
            return "本月在册"
        return None


def _pay(code: str, name: str, unit: str, definition: str, measure: str, *programs: str, short: str | None = None):
    return Indicator(code, name, unit, definition, "payments", measure, programs, short)


def _svc(code: str, name: str, unit: str, definition: str, measure: str, *services: str, short: str | None = None):
    return Indicator(code, name, unit, definition, "services", measure, services, short)


def _need(code: str, name: str, unit: str, definition: str, measure: str, *needs: str, short: str | None = None):
    return Indicator(code, name, unit, definition, "rehab_needs", measure, needs, short)


INDICATORS: tuple[Indicator, ...] = (
    _pay("subsidies_total_amount", "各类资金发放合计", "元", "全部项目发放金额之和", "amount", short="资金发放合计"),
    _pay(
        "nursing_subsidy_person_times",
        "重度残疾人护理补贴发放",
        "人次",
        "护理补贴发放记录数",
        "rows",
        "nursing_subsidy",
        short="护理补贴人次",
    ),
    _pay(
        "nursing_subsidy_amount",
        "重度残疾人护理补贴金额",
        "元",
        "护理补贴发放金额之和",
        "amount",
        "nursing_subsidy",
        short="护理补贴金额",
    ),
    _pay(
        "living_subsidy_person_times",
        "困难残疾人生活补贴发放",
        "人次",
        "生活补贴发放记录数",
        "rows",
        "living_subsidy",
        short="生活补贴人次",
    ),
    _pay(
        "living_subsidy_amount",
        "困难残疾人生活补贴金额",
        "元",
        "生活补贴发放金额之和",
        "amount",
        "living_subsidy",
        short="生活补贴金额",
    ),
    _pay("wheelchair_fuel_amount", "燃油补贴金额", "元", "燃油补贴发放金额之和", "amount", "wheelchair_fuel"),
    _pay(
        "entrepreneurship_persons",
        "扶持残疾人就业创业",
        "人",
        "获就业创业扶持的人数（去重）",
        "persons",
        "entrepreneurship",
    ),
    _pay("entrepreneurship_amount", "就业创业扶持资金", "元", "就业创业扶持金额之和", "amount", "entrepreneurship"),
    _pay(
        "sunshine_greenhouse_projects",
        "扶持“阳光大棚”",
        "个",
        "获扶持的阳光大棚项目数（去重）",
        "projects",
        "sunshine_greenhouse",
    ),
    _pay(
        "assistance_base_projects",
        "扶持助残基地",
        "个",
        "获扶持的助残基地数（去重）",
        "projects",
        "assistance_base",
        short="助残基地",
    ),
    _pay(
        "auxiliary_employment_projects",
        "扶持辅助性就业机构",
        "个",
        "获扶持的辅助性就业机构数（去重）",
        "projects",
        "auxiliary_employment",
        short="辅助性就业机构",
    ),
    _pay(
        "greenhouse_base_amount",
        "大棚及基地扶持资金",
        "元",
        "阳光大棚与助残基地扶持金额之和",
        "amount",
        "sunshine_greenhouse",
        "assistance_base",
    ),
    _pay("student_aid_persons", "资助残疾学生", "人", "获资助的残疾学生人数（去重）", "persons", "student_aid"),
    _pay("student_aid_amount", "残疾学生资助金额", "元", "残疾学生资助金额之和", "amount", "student_aid"),
    _pay("cochlear_implant_amount", "人工耳蜗补贴", "元", "人工耳蜗补贴金额之和", "amount", "cochlear_implant"),
    _pay(
        "psychiatric_medication_persons",
        "救助困难精神残疾人",
        "人",
        "获药费补助的人数（去重）",
        "persons",
        "psychiatric_medication",
    ),
    _pay(
        "psychiatric_medication_amount",
        "精神残疾人药费补助金额",
        "元",
        "药费补助金额之和",
        "amount",
        "psychiatric_medication",
        short="药费补助金额",
    ),
    _pay("sunshine_home_persons", "“阳光家园”托养", "人", "享受阳光家园托养的人数（去重）", "persons", "sunshine_home"),
    _pay("sunshine_home_amount", "“阳光家园”补助金额", "元", "阳光家园补助金额之和", "amount", "sunshine_home"),
    _pay(
        "accessibility_households",
        "完成无障碍改造",
        "户",
        "完成无障碍改造的户数（去重）",
        "persons",
        "accessibility_retrofit",
        short="无障碍改造",
    ),
    _pay("accessibility_amount", "无障碍改造资金", "元", "无障碍改造资金之和", "amount", "accessibility_retrofit"),
    _svc(
        "training_person_times",
        "残疾人技能培训",
        "人次",
        "培训记录数（每人每期一条）",
        "rows",
        "vocational_training",
        short="技能培训",
    ),
    _svc("training_batches", "培训期数", "期", "培训期次数（去重）", "batches", "vocational_training"),
    _svc("job_registrations", "就业登记", "人", "就业登记人数（去重）", "persons", "job_registration"),
    _svc("job_fairs", "专项招聘会", "次", "招聘会场次", "rows", "job_fair"),
    _svc("job_fair_enterprises", "参会企业", "家次", "各场招聘会参会企业数之和", "quantity", "job_fair"),
    _svc("job_intentions", "达成就业意向", "人", "达成就业意向人数（去重）", "persons", "job_intention"),
    _svc("outreach_events", "政策宣传", "场次", "政策宣传场次", "rows", "policy_outreach"),
    _svc(
        "outreach_leaflets",
        "发放宣传材料",
        "份",
        "发放宣传材料份数之和",
        "quantity",
        "policy_outreach",
        short="宣传材料",
    ),
    _svc("assessments_centralized", "集中评残", "次", "集中评残次数", "rows", "assessment_centralized"),
    _svc("assessments_home", "上门评残", "次", "上门评残次数", "rows", "assessment_home"),
    _svc("certificates_issued", "办、换证", "份", "办证、换证份数", "rows", "certificate_issued"),
    _need("rehab_needs", "康复需求", "条", "登记的康复需求条数", "rows"),
    _need("rehab_needs_basic_medical", "基本医疗需求", "条", "基本医疗需求条数", "rows", "basic_medical"),
    _need("rehab_needs_assistive_device", "辅助器具需求", "条", "辅助器具需求条数", "rows", "assistive_device"),
    _need("rehab_needs_met_rate", "康复需求满足率", "%", "截至数据日已满足的需求 ÷ 登记的需求", "met_rate"),
    _svc("home_rehab_persons", "家庭医生上门康复", "人", "接受上门康复服务人数（去重）", "persons", "home_rehab"),
    _svc(
        "prosthesis_fittings",
        "儿童假肢矫形器适配",
        "例",
        "假肢矫形器适配例数",
        "rows",
        "prosthesis_fitting",
        short="儿童假肢矫形器",
    ),
    _svc("device_fittings", "儿童辅助器具适配", "例", "儿童辅助器具适配例数", "rows", "device_fitting"),
    _svc("devices_issued", "发放辅助器具", "件", "发放辅助器具件数之和", "quantity", "device_issued"),
    _svc(
        "child_rehab_persons",
        "残疾儿童康复救助",
        "人",
        "获康复救助的残疾儿童人数（去重）",
        "persons",
        "child_rehab",
        short="儿童康复救助",
    ),
    _svc("respite_care_person_times", "托养服务", "人次", "托养服务记录数", "rows", "respite_care"),
    _svc("volunteer_activities", "志愿助残活动", "次", "志愿助残活动次数", "rows", "volunteer_activity"),
    _svc("volunteer_hours", "志愿服务时长", "小时", "志愿服务时长之和", "quantity", "volunteer_activity"),
    Indicator(
        "rehab_satisfaction_rate",
        "精准康复服务满意率",
        "%",
        "满意人数 ÷ 回访人数",
        "satisfaction",
        "satisfied_rate",
        (),
    ),
    Indicator("certified_persons", "持证残疾人", "人", "期末持证的残疾人数", "persons", "certified"),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}


def indicator_definitions(table: str, indicators: Sequence[Indicator] = INDICATORS) -> list[tuple[str, str, str]]:
    """(indicator, source, measure) for each indicator of `table` and each code it counts ('*' = all of them)."""
    return [(i.code, source, i.measure) for i in indicators if i.table == table for source in i.sources or ("*",)]


def _program_indicator(program: str, measure: str) -> str | None:
    found = [i.code for i in INDICATORS if i.table == "payments" and i.sources == (program,) and i.measure == measure]
    return found[0] if found else None


# Each programme's indicators for its amount and for its count in the programme's unit (None = not catalogued).
PROGRAM_INDICATORS: dict[str, tuple[str | None, str | None]] = {
    p.code: (_program_indicator(p.code, "amount"), _program_indicator(p.code, UNIT_MEASURES[p.unit])) for p in PROGRAMS
}

# --- The 2023 report and the 2024 targets -------------------------------------------------

# Indicator -> (low, high) as the 2023 work report states it; low == high where exact.
REPORT_2023: dict[str, tuple[float, float]] = {
    "nursing_subsidy_person_times": (46197, 46197),
    "nursing_subsidy_amount": (3696000, 3696000),
    "living_subsidy_person_times": (96895, 96895),
    "living_subsidy_amount": (7752000, 7752000),
    "wheelchair_fuel_amount": (25480, 25480),
    "entrepreneurship_persons": (210, 210),
    "entrepreneurship_amount": (630000, 630000),
    "sunshine_greenhouse_projects": (19, 19),
    "assistance_base_projects": (2, 2),
    "greenhouse_base_amount": (95000, 95000),
    "student_aid_persons": (71, 71),
    "student_aid_amount": (115000, 115000),
    "cochlear_implant_amount": (153000, 153000),
    "psychiatric_medication_persons": (1053, 1053),
    "psychiatric_medication_amount": (1053000, 1053000),
    "sunshine_home_persons": (351, 351),
    "sunshine_home_amount": (526500, 526500),
    "accessibility_households": (99, 99),
    "accessibility_amount": (570000, 579999),
    "training_person_times": (124, 124),
    "training_batches": (3, 3),
    "job_registrations": (185, 185),
    "job_fairs": (4, 4),
    "job_fair_enterprises": (25, 25),
    "job_intentions": (74, 74),
    "outreach_events": (6, 6),
    "outreach_leaflets": (3000, 3099),
    "assessments_centralized": (12, 12),
    "assessments_home": (28, 28),
    "certificates_issued": (2000, 2099),
    "rehab_needs": (2141, 2141),
    "rehab_needs_basic_medical": (2113, 2113),
    "rehab_needs_assistive_device": (28, 28),
    "home_rehab_persons": (1443, 1443),
    "prosthesis_fittings": (14, 14),
    "device_fittings": (6, 6),
    "devices_issued": (129, 129),
    "child_rehab_persons": (161, 161),
    "respite_care_person_times": (673, 673),
    "volunteer_activities": (20, 29),
    "volunteer_hours": (2700, 2999),
}

# (indicator, target, note) for the whole county in 2024, as the report plans them.
TARGETS_2024: tuple[tuple[str, float, str], ...] = (
    ("training_person_times", 100, "100人次以上"),
    ("entrepreneurship_persons", 100, "个人创业项目100个以上"),
    ("sunshine_greenhouse_projects", 5, "5个以上"),
    ("assistance_base_projects", 2, "2个以上"),
    ("auxiliary_employment_projects", 2, "扶持辅助性就业机构2个"),
    ("psychiatric_medication_persons", 1000, "1000名以上"),
    ("child_rehab_persons", 140, "140名以上"),
    ("rehab_satisfaction_rate", 95, "力争100%"),
    ("accessibility_households", 60, "60户以上"),
    ("assessments_centralized", 12, "每月集中评残"),
)

# --- Named indicator groups: the pages' cards and the deck's KPIs --------------------------------------------------
# (The narrative's topics are named in their own block.) A page or the deck reads its cards here by name, so adding an
# indicator to a page's cards is one line of this table; every code must be catalogued (checked below, at import).

CARD_GROUPS: dict[str, tuple[str, ...]] = {
    # 总览: the headline cards (the first five: what the 资金发放 topic's 要点 speak of in 简报模式) and the report's
    # figures of assessment, certificates and volunteering (counted by event or certificate, not paid)
    "overview_headline": (
        "subsidies_total_amount",
        "nursing_subsidy_amount",
        "nursing_subsidy_person_times",
        "living_subsidy_amount",
        "living_subsidy_person_times",
        "training_person_times",
        "rehab_needs_met_rate",
        "child_rehab_persons",
        "accessibility_households",
        "certified_persons",
    ),
    "overview_work": (
        "assessments_centralized",
        "assessments_home",
        "certificates_issued",
        "volunteer_activities",
        "volunteer_hours",
    ),
    "overview_map": ("subsidies_total_amount", "certified_persons"),  # what the map shows by default
    # 资金发放: the cards of the 逐月发放 topic in 简报模式
    "funds_monthly": (
        "subsidies_total_amount",
        "nursing_subsidy_amount",
        "nursing_subsidy_person_times",
        "living_subsidy_amount",
        "living_subsidy_person_times",
    ),
    # 就业培训
    "employment_training": ("training_person_times", "training_batches", "job_registrations", "job_intentions"),
    "employment_events": ("job_fairs", "job_fair_enterprises", "outreach_events", "outreach_leaflets"),
    "employment_support": (
        "entrepreneurship_persons",
        "entrepreneurship_amount",
        "auxiliary_employment_projects",
        "sunshine_greenhouse_projects",
        "assistance_base_projects",
        "greenhouse_base_amount",
    ),
    "employment_support_targets": (
        "entrepreneurship_persons",
        "sunshine_greenhouse_projects",
        "assistance_base_projects",
        "auxiliary_employment_projects",
    ),
    # 康复服务 (coverage: what the coverage topics' 要点 speak of, 乡镇覆盖 and 覆盖地图)
    "rehab_needs": ("rehab_needs", "rehab_needs_basic_medical", "rehab_needs_assistive_device", "rehab_needs_met_rate"),
    "rehab_services": (
        "home_rehab_persons",
        "child_rehab_persons",
        "prosthesis_fittings",
        "device_fittings",
        "devices_issued",
    ),
    "rehab_children": ("child_rehab_persons", "prosthesis_fittings", "device_fittings"),  # children's figures only
    "rehab_aid": (
        "psychiatric_medication_persons",
        "psychiatric_medication_amount",
        "respite_care_person_times",
        "rehab_satisfaction_rate",
    ),
    "rehab_coverage": ("rehab_needs", "rehab_needs_met_rate", "home_rehab_persons", "certified_persons"),
    "rehab_targets": ("child_rehab_persons", "psychiatric_medication_persons", "rehab_satisfaction_rate"),
    # 汇报材料: the KPI slide's cards and the rehabilitation slide's rows
    "deck_kpis": (
        "subsidies_total_amount",
        "living_subsidy_person_times",
        "nursing_subsidy_person_times",
        "training_person_times",
        "child_rehab_persons",
        "certified_persons",
    ),
    "deck_rehab": (
        "home_rehab_persons",
        "respite_care_person_times",
        "devices_issued",
        "child_rehab_persons",
        "prosthesis_fittings",
        "device_fittings",
    ),
}


def _check_groups(groups: dict[str, tuple[str, ...]]) -> None:
    for name, codes in groups.items():
        unknown = [code for code in codes if code not in INDICATOR_BY_CODE]
        if unknown or len(set(codes)) != len(codes):
            raise ValueError(f"indicator group {name}: unknown {unknown} or repeated codes in {codes}")


_check_groups(CARD_GROUPS)

# Sets derived from the entries' properties (never listed by hand).
RATE_CODES = frozenset(i.code for i in INDICATORS if i.is_rate)
COUNTY_LEVEL_CODES = frozenset(i.code for i in INDICATORS if i.county_level)


# --- Named indicator groups of the narrative (dpf.narrative.sentences, dpf.narrative.facts) ------------------------------

# Held by the county, not by a township (Indicator.county_level): said as 全县层面 for a township scope —
# COUNTY_LEVEL_CODES above.
# Stated for one township with its place among all townships, and what the place is by (named in the sentence).
NARRATIVE_RANKS: dict[str, str] = {
    "subsidies_total_amount": "发放总额",
    "training_person_times": "培训人次",
    "child_rehab_persons": "救助人数",
}
# A target counted in another unit than its indicator, as the plan writes it, and how one counts as the other:
# the plan's 个人创业项目100个 is held against the persons supported, one person one project.
TARGET_UNITS: dict[str, tuple[str, str]] = {
    "entrepreneurship_persons": ("个", "每扶持一名残疾人计一个个人创业项目"),
}
