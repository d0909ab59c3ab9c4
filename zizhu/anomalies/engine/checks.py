"""The 12 checks as SQL, written once in the common subset of DuckDB SQL and Spark SQL.

Both engines register the same named views (inputs.VIEW_COLUMNS, plus `rules` and `params`)
and then run these texts unchanged, so the DuckDB run and the Spark run apply literally the
same rule definitions. Each text's meaning is written next to it in docs/anomaly-checks.md
(a test keeps the two in step).

Input views:
  lists_term                the lists of M's school year and term (every stage and project)
  lists_3y                  the lists of school year SY-3, both terms
  enrolment_*, recipients_*, graduates_senior_high
                            the latest snapshot ≤ M of each register kind
  rules                     rules.rules_table(): rule, risk, programme, check_name, counterpart
  params                    one row: school_year (INT), reference_date (DATE)

The big joins carry keys only: every finding query yields FINDING_COLUMNS less the subject's
`row_id` and `id_masked`, which FINDINGS looks up for the few findings at the end; the engine
adds the month.
"""

FINDING_COLUMNS = (
    "rule",
    "risk",
    "programme",
    "school_code",
    "pid",
    "row_id",
    "id_masked",
    "counterpart_school_code",
    "counterpart_kind",
    "detail",
)

# -- derived views, defined in this order ------------------------------------------------------

# The list rows of the subjects: a subject is one (programme, school_code, pid) of these rows.
SUBJECT_ROWS = """
SELECT programme, school_code, pid, row_id, id_masked, birth_date, phone_key
FROM lists_term
WHERE stage = 'vocational' AND programme IN ('tuition_waiver', 'national_grant')
"""

# The other records the duplicate checks look for, one text per check. Each row names the
# counterpart (as in anomaly_rules.csv) it is evidence for; other_school marks the rows that
# only count at a school other than the subject's.
RECIPIENT_ELSEWHERE = """
SELECT pid, 'recipient_elsewhere' AS check_name,
       CASE stage
         WHEN 'higher' THEN 'higher_recipients'
         WHEN 'senior_high' THEN 'senior_high_recipients'
         WHEN 'compulsory' THEN 'compulsory_recipients'
         ELSE 'other_vocational_recipients'
       END AS counterpart,
       school_code AS counterpart_school_code,
       CASE stage
         WHEN 'higher' THEN 'recipients_higher'
         WHEN 'senior_high' THEN 'recipients_senior_high'
         WHEN 'compulsory' THEN 'recipients_compulsory'
         ELSE 'recipients_vocational'
       END AS counterpart_kind,
       stage = 'vocational' AS other_school
FROM lists_term
WHERE stage IN ('higher', 'senior_high', 'compulsory', 'vocational')
UNION ALL
SELECT pid, 'recipient_elsewhere', 'higher_recipients', school_code,
       'recipients_higher', FALSE
FROM recipients_higher
UNION ALL
SELECT pid, 'recipient_elsewhere', 'senior_high_recipients', school_code,
       'recipients_senior_high', FALSE
FROM recipients_senior_high
UNION ALL
SELECT pid, 'recipient_elsewhere', 'compulsory_recipients', school_code,
       'recipients_compulsory', FALSE
FROM recipients_compulsory
UNION ALL
SELECT pid, 'recipient_elsewhere', 'technical_recipients', school_code,
       'recipients_technical', FALSE
FROM recipients_technical
"""

ENROLLED_ELSEWHERE = """
SELECT pid, 'enrolled_elsewhere' AS check_name, 'senior_high_enrollment' AS counterpart,
       school_code AS counterpart_school_code, 'enrolment_senior_high' AS counterpart_kind,
       FALSE AS other_school
FROM enrolment_senior_high
WHERE status = '在籍'
UNION ALL
SELECT pid, 'enrolled_elsewhere', 'compulsory_enrollment', school_code,
       'enrolment_compulsory', FALSE
FROM enrolment_compulsory
WHERE status = '在籍'
UNION ALL
SELECT pid, 'enrolled_elsewhere', 'other_vocational_enrollment', school_code,
       'enrolment_vocational', TRUE
FROM enrolment_vocational
WHERE status = '在籍'
"""

AIDED_THREE_YEARS_AGO = """
SELECT pid, 'aided_three_years_ago' AS check_name,
       'vocational_recipients_three_years_ago' AS counterpart,
       school_code AS counterpart_school_code, 'recipients_vocational_3y' AS counterpart_kind,
       FALSE AS other_school
FROM lists_3y
WHERE stage = 'vocational'
"""

GRADUATED_SENIOR_HIGH_LAST_YEAR = """
SELECT pid, 'graduated_senior_high_last_year' AS check_name,
       'senior_high_graduates_last_year' AS counterpart,
       school_code AS counterpart_school_code, 'graduates_senior_high' AS counterpart_kind,
       FALSE AS other_school
FROM graduates_senior_high
WHERE graduation_year = (SELECT school_year FROM params)
"""

ELSEWHERE_CHECKS = (
    ("recipient_elsewhere", RECIPIENT_ELSEWHERE),
    ("enrolled_elsewhere", ENROLLED_ELSEWHERE),
    ("aided_three_years_ago", AIDED_THREE_YEARS_AGO),
    ("graduated_senior_high_last_year", GRADUATED_SENIOR_HIGH_LAST_YEAR),
)
ELSEWHERE = "\nUNION ALL\n".join(
    # Constant texts of this module only: nothing from outside reaches the SQL.
    f"SELECT * FROM ({sql.strip()}) AS {name}"  # noqa: S608
    for name, sql in ELSEWHERE_CHECKS
)

STUDENT_PHONES = """
SELECT pid, phone_key FROM lists_term WHERE phone_key IS NOT NULL
UNION ALL
SELECT pid, phone_key FROM enrolment_senior_high WHERE phone_key IS NOT NULL
UNION ALL
SELECT pid, phone_key FROM enrolment_compulsory WHERE phone_key IS NOT NULL
UNION ALL
SELECT pid, phone_key FROM enrolment_vocational WHERE phone_key IS NOT NULL
"""

# The phones of subjects that more than one person gives, with the number of those persons. Every
# subject row is also a student row (lists_term), so a phone is shared exactly when its student
# rows carry two pids or more. The semi join on the phone alone is a plain equality join (its keys
# pushed into the scans as a Bloom filter); the distinct (phone, pid) pairs are few per phone.
PHONE_PERSONS = """
SELECT phone_key, COUNT(*) AS persons
FROM (
  SELECT DISTINCT st.phone_key, st.pid
  FROM student_phones st
  SEMI JOIN subject_rows s ON s.phone_key = st.phone_key
) pairs
GROUP BY phone_key
HAVING COUNT(*) > 1
"""

# (name, SQL, materialise?) in definition order. A materialised view is a DuckDB temp table or a
# cached Spark frame; only the small phone_persons is (docs/anomaly-checks.md says why).
VIEWS = (
    ("subject_rows", SUBJECT_ROWS, False),
    ("elsewhere", ELSEWHERE, False),
    ("student_phones", STUDENT_PHONES, False),
    ("phone_persons", PHONE_PERSONS, True),
)

# -- finding queries -----------------------------------------------------------------------------

# The four checks of ELSEWHERE_CHECKS (20 rules) share this one join on pid. The GROUP BY makes
# one finding per (rule, subject, counterpart school) of rows found more than once, and of a
# subject listed twice.
DUPLICATE_FINDINGS = """
SELECT r.rule, r.risk, s.programme, s.school_code, s.pid,
       e.counterpart_school_code, e.counterpart_kind, '' AS detail
FROM subject_rows s
JOIN elsewhere e ON e.pid = s.pid
JOIN rules r
  ON r.programme = s.programme AND r.check_name = e.check_name
 AND r.counterpart = e.counterpart
WHERE NOT (e.other_school AND e.counterpart_school_code = s.school_code)
GROUP BY r.rule, r.risk, s.programme, s.school_code, s.pid,
         e.counterpart_school_code, e.counterpart_kind
"""

# Age from each list row; a subject's age is the largest, that of its earliest birth date.
AGE_20_OR_OVER = """
SELECT r.rule, r.risk, a.programme, a.school_code, a.pid,
       CAST(NULL AS STRING) AS counterpart_school_code,
       CAST(NULL AS STRING) AS counterpart_kind,
       CAST(MAX(a.age) AS STRING) AS detail
FROM (
  SELECT s.programme, s.school_code, s.pid,
         year(p.reference_date) - year(s.birth_date)
         - CASE WHEN month(s.birth_date) > month(p.reference_date)
                  OR (month(s.birth_date) = month(p.reference_date)
                      AND day(s.birth_date) > day(p.reference_date))
                THEN 1 ELSE 0 END AS age
  FROM subject_rows s CROSS JOIN params p
) a
JOIN rules r ON r.programme = a.programme AND r.check_name = 'age_20_or_over'
WHERE a.age >= 20
GROUP BY r.rule, r.risk, a.programme, a.school_code, a.pid
"""

# The subjects whose phone others give too; detail is the number of those others.
SHARED_PHONE = """
SELECT r.rule, r.risk, s.programme, s.school_code, s.pid,
       CAST(NULL AS STRING) AS counterpart_school_code,
       CAST(NULL AS STRING) AS counterpart_kind,
       CAST(MAX(pp.persons) - 1 AS STRING) AS detail
FROM subject_rows s
JOIN phone_persons pp ON pp.phone_key = s.phone_key
JOIN rules r ON r.programme = s.programme AND r.check_name = 'shared_phone'
GROUP BY r.rule, r.risk, s.programme, s.school_code, s.pid
"""

FINDING_QUERIES = (
    ("duplicate_findings", DUPLICATE_FINDINGS),
    ("age_findings", AGE_20_OR_OVER),
    ("phone_findings", SHARED_PHONE),
)

# Unique per finding (a subject is pid, school and programme; the rule fixes the programme), so
# the order is total, and the same on every engine.
ORDER = "rule, school_code, pid, counterpart_school_code NULLS FIRST, counterpart_kind NULLS FIRST"

# The findings without the subject's row_id and id_masked. The engines materialise it as the view
# `found` (a DuckDB temp table, a cached Spark frame): a few thousand rows, after the big joins.
FOUND = "\nUNION ALL\n".join(
    # Constant texts of this module only: nothing from outside reaches the SQL.
    f"SELECT * FROM ({sql.strip()}) AS {name}"  # noqa: S608
    for name, sql in FINDING_QUERIES
)

# Each finding gets its subject's row_id and id_masked (the smallest of its list rows) only here,
# from the list rows of the persons found: the big joins carry keys only. A run over ranges of
# `pid` takes each range's findings unordered and orders their union.
FINDINGS_UNORDERED = """
SELECT f.rule, f.risk, f.programme, f.school_code, f.pid, s.row_id, s.id_masked,
       f.counterpart_school_code, f.counterpart_kind, f.detail
FROM found f
JOIN (
  SELECT programme, school_code, pid, MIN(row_id) AS row_id, MIN(id_masked) AS id_masked
  FROM subject_rows
  WHERE pid IN (SELECT pid FROM found)
  GROUP BY programme, school_code, pid
) s ON s.programme = f.programme AND s.school_code = f.school_code AND s.pid = f.pid
"""
FINDINGS = f"{FINDINGS_UNORDERED}ORDER BY {ORDER}\n"
