"""Row-by-row validation of a recipient list file, before anything is written.

Every problem is collected (row, column, reason in Chinese); the caller writes nothing when
there is any."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from zizhu.lib import idnumber, phone
from zizhu.lib.tabular import Column, Problem

COLUMNS = [
    Column("id_number", "身份证件号"),
    Column("name", "姓名"),
    Column("amount", "资助金额"),
    Column("grade", "年级", required=False),
    Column("major", "专业", required=False),
    Column("phone", "联系电话", required=False),
    Column("bank_account", "银行卡号", required=False),
]
TEMPLATE_HEADER = [f"{c.alias}" for c in COLUMNS]
MAX_AMOUNT = Decimal("100000")


@dataclass(frozen=True)
class CleanRow:
    row_number: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    grade: str
    major: str
    phone: str
    amount: Decimal
    bank_account: str


def parse_amount(text: str) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        return None, "资助金额不是有效数字"
    if not value.is_finite() or value <= 0:
        return None, "资助金额必须大于0"
    if value.as_tuple().exponent < -2:
        return None, "资助金额最多保留两位小数"
    if value > MAX_AMOUNT:
        return None, f"资助金额超过单人上限 {MAX_AMOUNT} 元"
    return value.quantize(Decimal("0.01")), None


def validate_row(number: int, raw: dict[str, str], today: date):
    """A clean row, or the problems of this row."""
    problems: list[Problem] = []
    id_problem = idnumber.problem(raw.get("id_number", ""), today=today)
    if id_problem:
        problems.append(Problem(number, "id_number", id_problem))
    name = raw.get("name", "").strip()
    if not name:
        problems.append(Problem(number, "name", "姓名不能为空"))
    elif len(name) > 50:
        problems.append(Problem(number, "name", "姓名过长"))
    amount, amount_problem = parse_amount(raw.get("amount", ""))
    if amount_problem:
        problems.append(Problem(number, "amount", amount_problem))
    phone_text = raw.get("phone", "").strip()
    if phone_text and (phone_problem := phone.problem(phone_text)):
        problems.append(Problem(number, "phone", phone_problem))
    for column, limit in (("grade", 20), ("major", 60), ("bank_account", 30)):
        if len(raw.get(column, "")) > limit:
            problems.append(Problem(number, column, f"长度不能超过{limit}个字符"))
    if problems:
        return None, problems
    id18 = idnumber.normalise(raw["id_number"])
    return CleanRow(
        row_number=number,
        id_number=id18,
        name=name,
        sex=idnumber.sex(id18),
        birth_date=idnumber.birth_date(id18),
        grade=raw.get("grade", "").strip(),
        major=raw.get("major", "").strip(),
        phone=phone.normalise(phone_text) if phone_text else "",
        amount=amount,
        bank_account=raw.get("bank_account", "").strip(),
    ), []


def validate_rows(rows: list[tuple[int, dict[str, str]]], *, today: date):
    """All clean rows and all problems, including an ID given twice in the file.

    The IDs are checked all at once (numpy); a row whose ID, phone and amount pass the common
    case is made clean without the per-row checks, every other row goes through validate_row,
    so its problems read the same."""
    ids = [idnumber.normalise(raw.get("id_number", "")) for _, raw in rows]
    valid, born = _ids_valid(ids, today)
    amounts = _amounts()
    clean: list[CleanRow] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    mobile = phone.MOBILE_RE.match
    for (number, raw), id18, ok, days in zip(rows, ids, valid.tolist(), born.tolist(), strict=True):
        row = None
        if ok:
            row = _fast_row(number, raw, id18, days, amounts, mobile)
        if row is None:
            row, row_problems = validate_row(number, raw, today)
            problems += row_problems
            if any(p.column == "id_number" for p in row_problems):
                continue
        # a valid ID counts as seen even when the row has other problems
        earlier = first_seen.setdefault(id18, number)
        if earlier != number:
            problems.append(Problem(number, "id_number", f"与第{earlier}行身份证件号重复"))
        elif row is not None:
            clean.append(row)
    return clean, problems


_EPOCH = date(1970, 1, 1).toordinal()


def _ids_valid(ids: list[str], today: date):
    """(valid, birth date as days since 1970-01-01) of normalised IDs, as validate_row decides."""
    import pyarrow as pa

    from zizhu.registers.validation import id_check

    return id_check(pa.array(ids, pa.string()), today)


def _amounts():
    """parse_amount, remembered per text: a list has few distinct amounts."""
    seen: dict[str, tuple[Decimal | None, str | None]] = {}

    def amount(text: str) -> tuple[Decimal | None, str | None]:
        found = seen.get(text)
        if found is None:
            found = seen[text] = parse_amount(text)
        return found

    return amount


def _fast_row(number, raw, id18, days, amounts, mobile) -> CleanRow | None:
    """The clean row when every value passes without a message; None: validate_row decides."""
    name = raw.get("name", "").strip()
    if not name or len(name) > 50:
        return None
    amount, amount_problem = amounts(raw.get("amount", ""))
    if amount_problem:
        return None
    phone_text = raw.get("phone", "").strip()
    if phone_text and not mobile(phone_text):
        return None  # not in normal form: validate_row normalises or explains
    grade, major = raw.get("grade", ""), raw.get("major", "")
    bank_account = raw.get("bank_account", "")
    if len(grade) > 20 or len(major) > 60 or len(bank_account) > 30:
        return None
    return CleanRow(
        row_number=number,
        id_number=id18,
        name=name,
        sex="male" if int(id18[16]) % 2 else "female",
        birth_date=date.fromordinal(_EPOCH + days),
        grade=grade.strip(),
        major=major.strip(),
        phone=phone_text,
        amount=amount,
        bank_account=bank_account.strip(),
    )


def content_hash(rows: list[CleanRow]) -> str:
    """The same content gives the same hash whatever the row order: re-uploads are no-ops."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.id_number):
        digest.update(
            "\x1f".join(
                (
                    row.id_number,
                    row.name,
                    row.grade,
                    row.major,
                    row.phone,
                    str(row.amount),
                    row.bank_account,
                )
            ).encode()
            + b"\x1e"
        )
    return digest.hexdigest()
