"""Shapes of units, filings, allocations and receipts in the API (validation only: the
services decide and write)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.models import (
    MONEY,
    Allocation,
    Filing,
    FilingStatus,
    Receipt,
    ReversalRequest,
    SourceLevel,
)
from zizhu.units.models import Unit


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"], **kwargs
    )


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "parent", "stage", "ownership", "is_active", "depth"]


class UnitDetailSerializer(UnitSerializer):
    children = serializers.SerializerMethodField(help_text="直接下级单位")

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "children"]

    def get_children(self, unit) -> list[dict]:
        return UnitSerializer(self.context["children"], many=True).data


class FilingSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True, help_text="填报单位代码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    category = serializers.ChoiceField(
        source="project.category", choices=Category.choices, read_only=True
    )

    class Meta:
        model = Filing
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "project",
            "project_name",
            "category",
            "status",
            "doc_number",
            "doc_date",
            "doc_title",
            "own_funds",
            "school_funds",
            "other_funds",
            "social_funds",
            "document_name",
            "submitted_at",
            "review_comment",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class FilingCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="使用年度")
    project = serializers.SlugRelatedField(
        slug_field="code",
        queryset=AidProject.objects.filter(is_active=True),
        help_text="资助项目代码，例如 vocational_national_grant",
    )


class FilingUpdateSerializer(serializers.Serializer):
    """The fields the unit's operator fills: authorities the document and own funds, schools the
    amounts of the category. `version` is the one read: a save since then is refused (409)."""

    version = serializers.IntegerField(min_value=1, help_text="读取时的版本号")
    doc_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    doc_date = serializers.DateField(required=False, allow_null=True)
    doc_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    own_funds = money_field(required=False, min_value=0)
    school_funds = money_field(required=False, allow_null=True, min_value=0)
    other_funds = money_field(required=False, allow_null=True, min_value=0)
    social_funds = money_field(required=False, allow_null=True, min_value=0)
    document = serializers.FileField(required=False, help_text="正文附件（PDF，仅主管部门）")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text=_("Reason for returning"))


class StatusFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=FilingStatus.choices)


class PendingReversalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReversalRequest
        fields = ["id", "reason", "requested_at"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    # a counter-entry (冲销) has negative amounts and names the allocation it reverses
    from_unit = serializers.CharField(source="from_filing.unit.code", read_only=True)
    to_unit = serializers.CharField(source="to_filing.unit.code", read_only=True)
    to_unit_name = serializers.CharField(source="to_filing.unit.name", read_only=True)
    total = money_field(read_only=True)
    arrival_date = serializers.DateField(source="receipt.arrival_date", default=None)
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, read_only=True, help_text="本记录冲销的下拨记录编号"
    )
    reversal = serializers.IntegerField(
        source="reversal.pk", default=None, allow_null=True, help_text="冲销本笔下拨的记录编号"
    )
    pending_request = serializers.SerializerMethodField(help_text="待接收单位同意的冲销申请")

    class Meta:
        model = Allocation
        fields = [
            "id",
            "from_filing",
            "to_filing",
            "from_unit",
            "to_unit",
            "to_unit_name",
            *SourceLevel.values,
            "total",
            "receipt",
            "arrival_date",
            "created_at",
            "reverses",
            "reason",
            "reversal",
            "pending_request",
        ]
        read_only_fields = fields

    @extend_schema_field(PendingReversalSerializer(allow_null=True))
    def get_pending_request(self, allocation) -> dict | None:
        # `pending_requests` is prefetched by funds.selectors.allocations_with_state
        pending = allocation.pending_requests
        return PendingReversalSerializer(pending[0]).data if pending else None


class AmountsSerializer(serializers.Serializer):
    central = money_field(required=False, min_value=0)
    provincial = money_field(required=False, min_value=0)
    prefectural = money_field(required=False, min_value=0)
    county = money_field(required=False, min_value=0)


class AllocationCreateSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=10, help_text="接收资金的直接下级单位代码")
    amounts = AmountsSerializer(help_text="各资金来源级次的下拨金额（元）")


class ReceiptSerializer(serializers.ModelSerializer):
    allocations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Receipt
        fields = ["id", "filing", "arrival_date", "confirmed_at", "allocations"]
        read_only_fields = fields


class ReceiptCreateSerializer(serializers.Serializer):
    arrival_date = serializers.DateField(help_text="资金到位时间")


class ReceiptCorrectSerializer(serializers.Serializer):
    arrival_date = serializers.DateField(help_text="更正后的资金到位时间")
    reason = serializers.CharField(max_length=500, help_text="更正原因")


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="冲销原因")


class DeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, help_text="不同意的理由")


class ReversalRequestSerializer(serializers.ModelSerializer):
    # a request to reverse a confirmed allocation, and the receiver's decision
    counter_entry = serializers.IntegerField(
        source="allocation.reversal.pk",
        default=None,
        allow_null=True,
        help_text="同意后写入的冲销记录编号",
    )

    class Meta:
        model = ReversalRequest
        fields = [
            "id",
            "allocation",
            "reason",
            "status",
            "requested_at",
            "decided_at",
            "decision_note",
            "counter_entry",
        ]
        read_only_fields = fields
