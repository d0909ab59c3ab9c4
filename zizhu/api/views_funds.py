"""Units, filings, allocations and receipts. Reads are scoped by zizhu.access; every write is
the same service call the pages make, whose guards decide (own unit, role, state)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from zizhu.access import (
    Action,
    get_object_for_user,
    get_unit_for_user,
    require,
    require_that,
    scoped,
    units_for,
)
from zizhu.api import params
from zizhu.api.base import ApiView, ListView
from zizhu.api.errors import Conflict
from zizhu.api.pagination import Cursor
from zizhu.api.serializers_funds import (
    AllocationCreateSerializer,
    AllocationSerializer,
    FilingCreateSerializer,
    FilingSerializer,
    FilingUpdateSerializer,
    ReceiptCreateSerializer,
    ReceiptSerializer,
    ReturnSerializer,
    UnitDetailSerializer,
    UnitSerializer,
)
from zizhu.catalogue.models import Category
from zizhu.funds import policy, selectors, services
from zizhu.funds.models import Filing, FilingStatus
from zizhu.funds.views import own_filing, require_filer
from zizhu.units.models import Level

TAG_UNITS, TAG_FILINGS = ["单位"], ["资金填报"]


class UnitPages(Cursor):
    ordering = "path"


@extend_schema(
    tags=TAG_UNITS,
    summary="本单位辖区内的单位",
    description="当前用户所在单位及其全部下级单位（按层级路径排序）。",
    parameters=[
        OpenApiParameter("parent", str, description="只列出此单位的直接下级"),
        OpenApiParameter("level", str, enum=Level.values, description="单位层级"),
    ],
)
class UnitList(ListView):
    serializer_class = UnitSerializer
    pagination_class = UnitPages

    def get_queryset(self):
        require(self.request, Action.VIEW)
        units = units_for(self.request.user, Action.VIEW).select_related("parent")
        parent = params.text(self.request, "parent", 10)
        if parent:
            units = units.filter(parent__code=parent)
        level = params.choice(self.request, "level", Level.values)
        if level:
            units = units.filter(level=level)
        return units


@extend_schema(
    tags=TAG_UNITS,
    summary="一个单位及其直接下级",
    responses=UnitDetailSerializer,
)
class UnitDetail(ApiView):
    def get(self, request, code: str):
        unit = get_unit_for_user(request, code[:10], Action.VIEW)
        children = unit.children.select_related("parent").order_by("level", "code")
        serializer = UnitDetailSerializer(unit, context={"children": children})
        return Response(serializer.data)


class FilingPages(Cursor):
    ordering = "-pk"


def _filings():
    return Filing.objects.select_related("unit", "project")


@extend_schema(
    tags=TAG_FILINGS,
    parameters=[
        OpenApiParameter("category", str, enum=Category.values, description="资助类别"),
        OpenApiParameter("year", int, description="使用年度"),
        OpenApiParameter("status", str, enum=FilingStatus.values, description="填报状态"),
        OpenApiParameter("unit", str, description="只列出此单位的填报"),
        OpenApiParameter("project", str, description="资助项目代码"),
    ],
)
class FilingList(ListView):
    serializer_class = FilingSerializer
    pagination_class = FilingPages

    @extend_schema(
        summary="辖区内的资金填报", description="本单位及下级单位的资金填报，可按条件筛选。"
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        require(request, Action.VIEW)
        filings = scoped(_filings(), request.user, Action.VIEW)
        category = params.choice(request, "category", Category.values)
        if category:
            filings = filings.filter(project__category=category)
        year = params.integer(request, "year", 2000, 2100)
        if year:
            filings = filings.filter(year=year)
        state = params.choice(request, "status", FilingStatus.values)
        if state:
            filings = filings.filter(status=state)
        unit = params.text(request, "unit", 10)
        if unit:
            filings = filings.filter(unit__code=unit)
        project = params.text(request, "project", 60)
        if project:
            filings = filings.filter(project__code=project)
        return filings

    @extend_schema(
        summary="新建本单位的资金填报",
        request=FilingCreateSerializer,
        responses={201: FilingSerializer},
    )
    def post(self, request):
        require(request, Action.FILE)
        data = FilingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = data.validated_data["project"]
        require_filer(request, project.category)
        filing = services.filing_create(
            unit=request.user.unit,
            year=data.validated_data["year"],
            project=project,
            actor=request.user,
        )
        return Response(FilingSerializer(filing).data, status=status.HTTP_201_CREATED)


def filing_in_scope(request, pk: int) -> Filing:
    """A filing in the user's scope, to read (404 outside it)."""
    return get_object_for_user(request, _filings(), Action.VIEW, pk=pk)


def filing_to_act_on(request, pk: int) -> Filing:
    """A filing of the user's own unit, for a role that files its category: the pages' check
    (404 for any other filing, in scope or not)."""
    return own_filing(request, pk)


class FilingDetail(ApiView):
    @extend_schema(tags=TAG_FILINGS, summary="一份资金填报", responses=FilingSerializer)
    def get(self, request, pk: int):
        return Response(FilingSerializer(filing_in_scope(request, pk)).data)

    @extend_schema(
        tags=TAG_FILINGS,
        summary="修改本单位的资金填报",
        description="只改请求中给出的字段；version 为读取时的版本号，期间他人已保存则返回 409。",
        request=FilingUpdateSerializer,
        responses=FilingSerializer,
    )
    def patch(self, request, pk: int):
        filing = filing_to_act_on(request, pk)
        require(request, Action.FILE)
        data = FilingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        document = changes.pop("document", None)
        try:
            services.filing_update(
                filing=filing, version=version, actor=request.user, document=document, **changes
            )
        except services.StaleFiling as exc:
            raise Conflict(exc.messages[0]) from None
        return Response(FilingSerializer(filing_in_scope(request, pk)).data)


class FilingAction(ApiView):
    """submit (the unit's operator), approve and return (the school's reviewer)."""

    action = ""

    def post(self, request, pk: int):
        filing = filing_to_act_on(request, pk)
        require(request, Action.FILE if self.action == "submit" else Action.REVIEW)
        if self.action == "submit":
            services.filing_submit(filing=filing, actor=request.user)
        elif self.action == "approve":
            services.filing_approve(filing=filing, actor=request.user)
        else:
            data = ReturnSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.filing_return(
                filing=filing, comment=data.validated_data["comment"], actor=request.user
            )
        return Response(FilingSerializer(filing_in_scope(request, pk)).data)


@extend_schema(
    tags=TAG_FILINGS,
    summary="提交资金填报（本单位业务操作人员）",
    request=None,
    responses=FilingSerializer,
)
class FilingSubmit(FilingAction):
    action = "submit"


@extend_schema(
    tags=TAG_FILINGS,
    summary="审核通过学校的资金填报（学校业务审核人员）",
    request=None,
    responses=FilingSerializer,
)
class FilingApprove(FilingAction):
    action = "approve"


@extend_schema(
    tags=TAG_FILINGS,
    summary="退回学校的资金填报（学校业务审核人员）",
    request=ReturnSerializer,
    responses=FilingSerializer,
)
class FilingReturn(FilingAction):
    action = "return"


class AllocationPages(Cursor):
    ordering = "-pk"


@extend_schema(
    tags=TAG_FILINGS,
    parameters=[
        OpenApiParameter(
            "direction", str, enum=["out", "in"], description="out：本填报下拨的；in：收到的"
        )
    ],
)
class AllocationList(ListView):
    serializer_class = AllocationSerializer
    pagination_class = AllocationPages

    @extend_schema(summary="一份填报的下拨记录")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filing = filing_in_scope(self.request, self.kwargs["pk"])
        direction = params.choice(self.request, "direction", ["out", "in"]) or "out"
        if direction == "out":
            return selectors.allocations_out(filing)
        return selectors.allocations_in(filing)

    @extend_schema(
        summary="向直接下级单位下拨资金",
        description="按资金来源级次下拨；余额不足、对象不是直接下级或项目不符时返回 400。",
        request=AllocationCreateSerializer,
        responses={201: AllocationSerializer},
    )
    def post(self, request, pk: int):
        require(request, Action.FILE)
        require_that(request, policy.may_allocate(request.user), "not_an_authority_operator")
        filing = filing_to_act_on(request, pk)
        data = AllocationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = (
            units_for(request.user, Action.VIEW).filter(code=data.validated_data["target"]).first()
        )
        if target is None:
            raise ValidationError({"target": [_("No such unit in your scope.")]})
        amounts = {k: v for k, v in data.validated_data["amounts"].items() if v}
        if not amounts:
            raise ValidationError(
                {"amounts": [_("Enter an amount for at least one source level.")]}
            )
        allocation = services.allocation_create(
            source=filing, target_unit=target, amounts=amounts, actor=request.user
        )
        allocation = selectors.allocations_with_state().get(pk=allocation.pk)
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAG_FILINGS,
    summary="确认收到资金",
    description="确认本填报所有尚未确认的下拨资金，并填写资金到位时间。",
    request=ReceiptCreateSerializer,
    responses={201: ReceiptSerializer},
)
class ReceiptConfirm(ApiView):
    def post(self, request, pk: int):
        filing = filing_to_act_on(request, pk)
        require(request, Action.FILE)
        data = ReceiptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = services.receipt_confirm(
            filing=filing, arrival_date=data.validated_data["arrival_date"], actor=request.user
        )
        return Response(ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)
