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

Every finding query yields the same columns (FINDING_COLUMNS); the engine adds the month.
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

SUBJECTS = """
SELECT programme, school_code, pid,
       MIN(row_id) AS row_id, MIN(id_masked) AS id_masked, MIN(birth_date) AS birth_date
FROM lists_term
WHERE stage = 'vocational' AND programme IN ('tuition_waiver', 'national_grant')
GROUP BY programme, school_code, pid
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

SUBJECT_PHONES = """
SELECT DISTINCT programme, school_code, pid, phone_key
FROM lists_term
WHERE stage = 'vocational' AND programme IN ('tuition_waiver', 'national_grant')
  AND phone_key IS NOT NULL
"""

# (name, SQL, materialise?) in definition order. The engines materialise the small views that
# several queries read.
VIEWS = (
    ("subjects", SUBJECTS, True),
    ("elsewhere", ELSEWHERE, False),
    ("student_phones", STUDENT_PHONES, False),
    ("subject_phones", SUBJECT_PHONES, True),
)

# -- finding queries -----------------------------------------------------------------------------

# The four checks of ELSEWHERE_CHECKS (20 rules) share this one join on pid. The GROUP BY makes
# one finding per (rule, subject, counterpart school) of rows found more than once.
DUPLICATE_FINDINGS = """
SELECT r.rule, r.risk, s.programme, s.school_code, s.pid, s.row_id, s.id_masked,
       e.counterpart_school_code, e.counterpart_kind, '' AS detail
FROM subjects s
JOIN elsewhere e ON e.pid = s.pid
JOIN rules r
  ON r.programme = s.programme AND r.check_name = e.check_name
 AND r.counterpart = e.counterpart
WHERE NOT (e.other_school AND e.counterpart_school_code = s.school_code)
GROUP BY r.rule, r.risk, s.programme, s.school_code, s.pid, s.row_id, s.id_masked,
         e.counterpart_school_code, e.counterpart_kind
"""

AGE_20_OR_OVER = """
SELECT r.rule, r.risk, a.programme, a.school_code, a.pid, a.row_id, a.id_masked,
       CAST(NULL AS STRING) AS counterpart_school_code,
       CAST(NULL AS STRING) AS counterpart_kind,
       CAST(a.age AS STRING) AS detail
FROM (
  SELECT s.programme, s.school_code, s.pid, s.row_id, s.id_masked,
         year(p.reference_date) - year(s.birth_date)
         - CASE WHEN month(s.birth_date) > month(p.reference_date)
                  OR (month(s.birth_date) = month(p.reference_date)
                      AND day(s.birth_date) > day(p.reference_date))
                THEN 1 ELSE 0 END AS age
  FROM subjects s CROSS JOIN params p
) a
JOIN rules r ON r.programme = a.programme AND r.check_name = 'age_20_or_over'
WHERE a.age >= 20
"""

SHARED_PHONE = """
SELECT r.rule, r.risk, s.programme, s.school_code, s.pid, s.row_id, s.id_masked,
       CAST(NULL AS STRING) AS counterpart_school_code,
       CAST(NULL AS STRING) AS counterpart_kind,
       CAST(MAX(pp.persons) - 1 AS STRING) AS detail
FROM subject_phones sp
JOIN (
  SELECT phone_key, COUNT(*) AS persons
  FROM (
    SELECT DISTINCT phone_key, pid
    FROM student_phones
    WHERE phone_key IN (SELECT phone_key FROM subject_phones)
  ) phone_persons
  GROUP BY phone_key
) pp ON pp.phone_key = sp.phone_key
JOIN subjects s
  ON s.programme = sp.programme AND s.school_code = sp.school_code AND s.pid = sp.pid
JOIN rules r ON r.programme = s.programme AND r.check_name = 'shared_phone'
WHERE pp.persons > 1
GROUP BY r.rule, r.risk, s.programme, s.school_code, s.pid, s.row_id, s.id_masked
"""

FINDING_QUERIES = (
    ("duplicate_findings", DUPLICATE_FINDINGS),
    ("age_findings", AGE_20_OR_OVER),
    ("phone_findings", SHARED_PHONE),
)

# Unique per finding (a subject is pid, school and programme; the rule fixes the programme), so
# the order is total, and the same on every engine.
ORDER = "rule, school_code, pid, counterpart_school_code NULLS FIRST, counterpart_kind NULLS FIRST"
_UNION = "\nUNION ALL\n".join(
    # Constant texts of this module only: nothing from outside reaches the SQL.
    f"SELECT * FROM ({sql.strip()}) AS {name}"  # noqa: S608
    for name, sql in FINDING_QUERIES
)
FINDINGS = f"{_UNION}\nORDER BY {ORDER}"
