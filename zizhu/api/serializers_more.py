"""Shapes of vouchers, recipient lists, registers, runs, findings and jobs in the API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zizhu.anomalies.models import Decision, Engine, Run, Verdict
from zizhu.api.serializers_funds import money_field
from zizhu.jobs.models import Job
from zizhu.recipients.models import RecipientList, Term
from zizhu.registers.models import Kind, Snapshot
from zizhu.vouchers.models import Voucher, VoucherFile


class VoucherFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VoucherFile
        fields = ["id", "name", "content_type", "size", "sha256"]
        read_only_fields = fields


class VoucherSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="unit.code", read_only=True)
    school_name = serializers.CharField(source="unit.name", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    files = VoucherFileSerializer(many=True, read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id",
            "school",
            "school_name",
            "year",
            "project",
            "students",
            "amount",
            "note",
            "files",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class VoucherCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="使用年度")
    project = serializers.CharField(max_length=60, help_text="国家资助项目代码")
    students = serializers.IntegerField(min_value=1, max_value=9_999_999, help_text="资助学生人数")
    amount = money_field(min_value=0, help_text="资助金额（元）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=10, help_text="凭证文件"
    )


class RecipientListSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = RecipientList
        fields = [
            "id",
            "school",
            "school_name",
            "project",
            "year",
            "term",
            "batch",
            "version",
            "status",
            "row_count",
            "total_amount",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "updated_at",
        ]
        read_only_fields = fields


class RecipientRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    row_number = serializers.IntegerField()
    id_number = serializers.CharField(help_text="本校用户看到完整号码，其他用户看到脱敏号码")
    name = serializers.CharField()
    sex = serializers.CharField()
    grade = serializers.CharField()
    major = serializers.CharField()
    phone = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    bank_account = serializers.CharField()


class RecipientUploadSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=60, help_text="资助项目代码")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="学年")
    term = serializers.ChoiceField(choices=Term.choices, help_text="学期")
    batch = serializers.IntegerField(min_value=1, max_value=99, default=1, help_text="批次")
    file = serializers.FileField(help_text="名单文件（XLSX 或 CSV，按模板填写）")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, help_text="审核意见")


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="文件中的行号（0 表示整个文件）")
    column = serializers.CharField(allow_blank=True, help_text="列")
    reason = serializers.CharField(help_text="原因")


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    problems = serializers.SerializerMethodField(help_text="导入校验报告：每处错误的行、列、原因")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "problems",
        ]
        read_only_fields = fields

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, job) -> list[dict]:
        rows = (job.result or {}).get("problems") or []
        return [
            {
                "row": row[0] if isinstance(row[0], int) else None,
                "column": str(row[1]),
                "reason": str(row[2]),
            }
            for row in rows
            if isinstance(row, list | tuple) and len(row) == 3
        ]


class RecipientJobSerializer(serializers.Serializer):
    job = JobSerializer()


class SnapshotSerializer(serializers.ModelSerializer):
    job = JobSerializer(read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = Snapshot
        fields = [
            "id",
            "kind",
            "month",
            "status",
            "source_name",
            "error_count",
            "message",
            "created_at",
            "finished_at",
            "job",
            "problems",
        ]
        read_only_fields = fields

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, snapshot) -> list[dict]:
        return [
            {"row": row or None, "column": str(column), "reason": str(message)}
            for row, column, message in (snapshot.problems or [])
        ]


class RegisterUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="登记册类别")
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="月份 YYYY-MM")
    file = serializers.FileField(help_text="CSV、XLSX 或 Parquet 文件")


class RunSerializer(serializers.ModelSerializer):
    job = JobSerializer(read_only=True)

    class Meta:
        model = Run
        fields = ["id", "month", "engine", "status", "counts", "created_at", "job"]
        read_only_fields = fields


class RunCreateSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="核查月份 YYYY-MM")
    engine = serializers.ChoiceField(choices=Engine.choices, default=Engine.DUCKDB)


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="finding.pk")
    month = serializers.CharField(source="finding.month")
    rule = serializers.IntegerField(source="finding.rule")
    rule_name = serializers.CharField(source="rule.name", default="")
    risk = serializers.CharField(source="finding.risk")
    programme = serializers.CharField(source="finding.programme")
    status = serializers.CharField(source="finding.status")
    school = serializers.CharField(source="finding.school.code")
    school_name = serializers.CharField(source="finding.school.name")
    name = serializers.CharField(help_text="学生姓名")
    id_number = serializers.CharField(help_text="本校用户看到完整号码，其他用户看到脱敏号码")
    counterpart = serializers.CharField(help_text="对方学校")
    kind = serializers.CharField(help_text="对方记录的类别")
    detail = serializers.CharField(help_text="异常说明")


class ExplanationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    verdict = serializers.CharField()
    note = serializers.CharField()
    attachment_name = serializers.CharField()
    at = serializers.DateTimeField()
    decision = serializers.CharField()
    comment = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class FindingDetailSerializer(FindingSerializer):
    explanation = ExplanationSerializer(allow_null=True)


class ExplainSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices, help_text="属实 / 不属实")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    attachment = serializers.FileField(required=False, help_text="附件（PDF 或图片）")


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, help_text="通过 / 不通过")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
