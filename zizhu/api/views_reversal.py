"""冲销 and 更正 through the API (docs/adr/0010-reversals-and-corrections.md): the sender's
operator reverses an allocation the receiver has not confirmed, or asks the receiver to agree
once it has; the receiver's operator agrees (the counter-entry is written) or declines, and
corrects a receipt's arrival date. The same lookups, policy checks and services as the pages."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from zizhu.api.base import ApiView
from zizhu.api.serializers_funds import (
    AllocationSerializer,
    DeclineSerializer,
    ReceiptCorrectSerializer,
    ReceiptSerializer,
    ReversalRequestSerializer,
    ReverseSerializer,
)
from zizhu.funds import selectors, services
from zizhu.funds.models import Receipt, ReversalRequest
from zizhu.funds.views import (
    allocation_to_reverse,
    receipt_to_correct,
    reversal_request_to_decide,
)

TAGS = ["资金填报"]


def request_answer(pk: int) -> dict:
    found = ReversalRequest.objects.select_related("allocation__reversal").get(pk=pk)
    return ReversalRequestSerializer(found).data


@extend_schema(
    tags=TAGS,
    summary="冲销一笔下拨（下拨单位业务操作人员）",
    description=(
        "接收单位尚未确认收到资金时直接冲销（写入金额为负的冲销记录，余额退回）；"
        "已确认的，提出冲销申请，经接收单位同意后冲销（见 pending_request）。"
        "返回这笔下拨的当前状态。"
    ),
    request=ReverseSerializer,
    responses=AllocationSerializer,
)
class AllocationReverse(ApiView):
    def post(self, request, pk: int):
        allocation = allocation_to_reverse(request, pk)
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reverse = (
            services.allocation_reverse
            if allocation.receipt_id is None
            else services.reversal_request
        )
        reverse(allocation=allocation, reason=data.validated_data["reason"], actor=request.user)
        allocation = selectors.allocations_with_state().get(pk=allocation.pk)
        return Response(AllocationSerializer(allocation).data)


@extend_schema(
    tags=TAGS,
    summary="同意冲销申请（接收单位业务操作人员）",
    description="写入冲销记录，余额退回；接收单位已将这笔资金继续下拨的，须先冲销其下拨。",
    request=None,
    responses=ReversalRequestSerializer,
)
class ReversalAgree(ApiView):
    def post(self, request, pk: int):
        found = reversal_request_to_decide(request, pk)
        services.reversal_agree(request=found, actor=request.user)
        return Response(request_answer(found.pk))


@extend_schema(
    tags=TAGS,
    summary="不同意冲销申请（接收单位业务操作人员）",
    request=DeclineSerializer,
    responses=ReversalRequestSerializer,
)
class ReversalDecline(ApiView):
    def post(self, request, pk: int):
        found = reversal_request_to_decide(request, pk)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reversal_decline(
            request=found, note=data.validated_data["note"], actor=request.user
        )
        return Response(request_answer(found.pk))


@extend_schema(
    tags=TAGS,
    summary="更正资金到位时间（接收单位业务操作人员）",
    description=(
        "更正一笔已确认收到资金的到位时间，须填写更正原因；原到位时间保留在更正记录中。"
        "更正后的时间不能晚于今天，也不能早于所确认下拨的下拨日期。"
        "返回更正后的收款确认。"
    ),
    request=ReceiptCorrectSerializer,
    responses=ReceiptSerializer,
)
class ReceiptCorrect(ApiView):
    def post(self, request, pk: int):
        receipt = receipt_to_correct(request, pk)
        data = ReceiptCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.receipt_correct(
                receipt=receipt,
                arrival_date=data.validated_data["arrival_date"],
                reason=data.validated_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            # the service's refusals here are all about the date (the reason is checked above)
            raise exceptions.ValidationError({"arrival_date": exc.messages}) from exc
        receipt = Receipt.objects.prefetch_related("allocations").get(pk=receipt.pk)
        return Response(ReceiptSerializer(receipt).data)
