"""Vouchers, recipient lists, register imports, check runs, findings and jobs: scoped reads
through zizhu.access, writes through the same services and checks as the pages."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from zizhu.access import (
    Action,
    deny,
    get_object_for_user,
    get_unit_for_user,
    require,
    require_that,
)
from zizhu.anomalies import policy as anomaly_policy
from zizhu.anomalies import services as anomaly_services
from zizhu.anomalies.models import Explanation, Finding, FindingStatus, Programme, Risk, Run
from zizhu.anomalies.selectors import finding_rows, findings_for
from zizhu.api import params
from zizhu.api.base import ApiView, ListView
from zizhu.api.errors import Conflict
from zizhu.api.pagination import Cursor
from zizhu.api.serializers_more import (
    CommentSerializer,
    ExplainSerializer,
    FindingDetailSerializer,
    FindingSerializer,
    JobSerializer,
    RecipientListSerializer,
    RecipientRowSerializer,
    RecipientUploadSerializer,
    RegisterUploadSerializer,
    ReviewSerializer,
    RunCreateSerializer,
    RunSerializer,
    SnapshotSerializer,
    VoucherCreateSerializer,
    VoucherSerializer,
)
from zizhu.audit.services import audit_record
from zizhu.jobs.selectors import jobs_for
from zizhu.lib import idnumber, phone
from zizhu.lib.downloads import stored_download
from zizhu.recipients import policy as recipient_policy
from zizhu.recipients import services as recipient_services
from zizhu.recipients.forms import UploadForm
from zizhu.recipients.models import RecipientList, Status, Term
from zizhu.recipients.policy import sees_full_identity
from zizhu.recipients.selectors import lists_for
from zizhu.registers.forms import UploadForm as RegisterUploadForm
from zizhu.registers.models import Snapshot
from zizhu.registers.services import register_upload
from zizhu.vouchers import policy as voucher_policy
from zizhu.vouchers import services as voucher_services
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.selectors import vouchers_for

BINARY = {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, "文件内容")}


# --- vouchers ---------------------------------------------------------------------------------


class NewestFirst(Cursor):
    ordering = "-pk"


@extend_schema(
    tags=["支付凭证"],
    parameters=[
        OpenApiParameter("year", int, description="使用年度"),
        OpenApiParameter("project", str, description="资助项目代码"),
        OpenApiParameter("school", str, description="学校代码（前缀）"),
    ],
)
class VoucherList(ListView):
    serializer_class = VoucherSerializer
    pagination_class = NewestFirst

    @extend_schema(
        summary="辖区内的支付凭证", description="学校看到本校的，主管部门看到辖区内学校的。"
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        require(request, Action.VIEW)
        vouchers = vouchers_for(request.user).select_related("unit", "project")
        year = params.integer(request, "year", 2000, 2100)
        if year:
            vouchers = vouchers.filter(year=year)
        project = params.text(request, "project")
        if project:
            vouchers = vouchers.filter(project__code=project)
        school = params.text(request, "school", 10)
        if school:
            vouchers = vouchers.filter(unit__code__startswith=school)
        return vouchers.prefetch_related("files")

    @extend_schema(
        summary="上传支付凭证（学校业务操作人员）",
        request={"multipart/form-data": VoucherCreateSerializer},
        responses={201: VoucherSerializer},
    )
    def post(self, request):
        require(request, Action.FILE)
        school = request.user.unit
        require_that(
            request, voucher_policy.may_record(request.user, school), "not_the_school_operator"
        )
        data = VoucherCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = voucher_services.voucher_projects(school).filter(code=values["project"]).first()
        if project is None:
            raise ValidationError(
                {
                    "project": [
                        _("Not a national aid project this school files: %(project)s")
                        % {"project": values["project"]}
                    ]
                }
            )
        voucher = voucher_services.voucher_create(
            school=school,
            year=values["year"],
            project=project,
            students=values["students"],
            amount=values["amount"],
            note=values["note"],
            files=values["files"],
            actor=request.user,
            request=request,
        )
        voucher = Voucher.objects.select_related("unit", "project").get(pk=voucher.pk)
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["支付凭证"], summary="下载支付凭证文件", responses=BINARY)
class VoucherFileDownload(ApiView):
    def get(self, request, pk: int):
        queryset = VoucherFile.objects.select_related("voucher")
        record = get_object_for_user(request, queryset, Action.VIEW, "voucher__unit", pk=pk)
        response = stored_download(
            record.file, name=record.name, content_type=record.content_type, fallback="voucher"
        )
        audit_record(
            request=request,
            action="vouchers.download",
            obj=record,
            detail={"voucher": record.voucher_id, "name": record.name, "sha256": record.sha256},
        )
        return response


# --- recipient lists --------------------------------------------------------------------------


@extend_schema(
    tags=["资助名单"],
    parameters=[
        OpenApiParameter("year", int, description="学年"),
        OpenApiParameter("term", str, enum=Term.values, description="学期"),
        OpenApiParameter("status", str, enum=Status.values, description="状态"),
        OpenApiParameter("project", str, description="资助项目代码"),
        OpenApiParameter("school", str, description="学校代码（前缀）"),
    ],
)
class RecipientListList(ListView):
    serializer_class = RecipientListSerializer
    pagination_class = NewestFirst

    @extend_schema(summary="辖区内的资助名单")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        require(request, Action.VIEW)
        lists = lists_for(request.user)
        year = params.integer(request, "year", 2000, 2100)
        if year:
            lists = lists.filter(year=year)
        for name, choices in (("term", Term.values), ("status", Status.values)):
            value = params.choice(request, name, choices)
            if value:
                lists = lists.filter(**{name: value})
        project = params.text(request, "project")
        if project:
            lists = lists.filter(project__code=project)
        school = params.text(request, "school", 10)
        if school:
            lists = lists.filter(school__code__startswith=school)
        return lists

    @extend_schema(
        summary="上传资助名单（学校业务操作人员），返回导入任务",
        description="文件由后台任务读取和校验；轮询 /api/v1/jobs/{id}/ 查看进度和校验报告。",
        request={"multipart/form-data": RecipientUploadSerializer},
        responses={202: JobSerializer},
    )
    def post(self, request):
        require(request, Action.FILE)
        school = request.user.unit
        require_that(request, recipient_policy.may_upload(request.user), "not_a_school_operator")
        data = RecipientUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # the page's form: the school's projects, the file's kind and size
        form = UploadForm(
            {k: values[k] for k in ("project", "year", "term", "batch")},
            {"file": values["file"]},
            school=school,
        )
        if not form.is_valid():
            raise ValidationError(dict(form.errors))
        job = recipient_services.recipient_list_upload(
            school=school,
            project=form.cleaned_data["project"],
            year=values["year"],
            term=values["term"],
            batch=values["batch"],
            upload=values["file"],
            actor=request.user,
            request=request,
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def list_in_scope(request, pk: int, action: Action = Action.VIEW) -> RecipientList:
    queryset = RecipientList.objects.select_related("school", "project")
    return get_object_for_user(request, queryset, action, "school", pk=pk)


@extend_schema(tags=["资助名单"], summary="一份资助名单", responses=RecipientListSerializer)
class RecipientListDetail(ApiView):
    def get(self, request, pk: int):
        return Response(RecipientListSerializer(list_in_scope(request, pk)).data)


class RowPages(Cursor):
    ordering = "row_number"


@extend_schema(tags=["资助名单"], summary="名单中的学生（按角色脱敏）")
class RecipientRows(ListView):
    serializer_class = RecipientRowSerializer
    pagination_class = RowPages

    def list(self, request, *args, **kwargs):
        target = list_in_scope(request, self.kwargs["pk"])
        full = sees_full_identity(request.user, target)
        page = self.paginate_queryset(target.rows.all())
        if full:
            audit_record(
                request=request,
                action="recipients.view_full",
                obj=target,
                detail={"api": True, "rows": len(page)},
            )
        rows = [
            {
                "id": row.pk,
                "row_number": row.row_number,
                "id_number": row.id_number if full else idnumber.mask(row.id_number),
                "name": row.name,
                "sex": row.sex,
                "grade": row.grade,
                "major": row.major,
                "phone": row.phone if full else (phone.mask(row.phone) if row.phone else ""),
                "amount": row.amount,
                "bank_account": row.bank_account if full else ("****" if row.bank_account else ""),
            }
            for row in page
        ]
        return self.get_paginated_response(RecipientRowSerializer(rows, many=True).data)


class RecipientListAction(ApiView):
    """submit (the school's operator), approve and return (the school's reviewer): the pages'
    checks, then the same services."""

    action = ""

    def post(self, request, pk: int):
        needed = Action.REVIEW if self.action in ("approve", "return") else Action.FILE
        target = list_in_scope(request, pk, needed)
        require_that(request, recipient_policy.may_maintain(request.user), "not_a_school_user")
        if self.action == "submit":
            recipient_services.recipient_list_submit(
                recipient_list=target, actor=request.user, request=request
            )
        elif self.action == "approve":
            recipient_services.recipient_list_approve(
                recipient_list=target, actor=request.user, request=request
            )
        else:
            data = CommentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            recipient_services.recipient_list_return(
                recipient_list=target,
                comment=data.validated_data["comment"],
                actor=request.user,
                request=request,
            )
        return Response(RecipientListSerializer(list_in_scope(request, pk)).data)


@extend_schema(
    tags=["资助名单"],
    summary="提交名单（学校业务操作人员）",
    request=None,
    responses=RecipientListSerializer,
)
class RecipientListSubmit(RecipientListAction):
    action = "submit"


@extend_schema(
    tags=["资助名单"],
    summary="审核通过名单（学校业务审核人员）",
    request=None,
    responses=RecipientListSerializer,
)
class RecipientListApprove(RecipientListAction):
    action = "approve"


@extend_schema(
    tags=["资助名单"],
    summary="退回名单（学校业务审核人员）",
    request=CommentSerializer,
    responses=RecipientListSerializer,
)
class RecipientListReturn(RecipientListAction):
    action = "return"


# --- register imports (system administrator) ---------------------------------------------


@extend_schema(tags=["比对数据"])
class RegisterList(ListView):
    serializer_class = SnapshotSerializer
    pagination_class = NewestFirst

    @extend_schema(summary="比对数据导入记录（系统管理员）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        require(self.request, Action.MANAGE_REGISTERS)
        return Snapshot.objects.select_related("job")

    @extend_schema(
        summary="导入比对数据（系统管理员），返回导入记录及其任务",
        request={"multipart/form-data": RegisterUploadSerializer},
        responses={202: SnapshotSerializer},
    )
    def post(self, request):
        require(request, Action.MANAGE_REGISTERS)
        data = RegisterUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        form = RegisterUploadForm(
            {"kind": values["kind"], "month": values["month"]}, {"file": values["file"]}
        )
        if not form.is_valid():
            raise ValidationError(dict(form.errors))
        snapshot = register_upload(
            kind=values["kind"],
            month=form.cleaned_data["month"],
            upload=values["file"],
            actor=request.user,
            request=request,
        )
        snapshot = Snapshot.objects.select_related("job").get(pk=snapshot.pk)
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["比对数据"], summary="一次比对数据导入", responses=SnapshotSerializer)
class RegisterDetail(ApiView):
    def get(self, request, pk: int):
        require(request, Action.MANAGE_REGISTERS)
        snapshot = get_object_or_404(Snapshot.objects.select_related("job"), pk=pk)
        return Response(SnapshotSerializer(snapshot).data)


# --- check runs (system administrator) ---------------------------------------------------


@extend_schema(tags=["异常核查"])
class RunList(ListView):
    serializer_class = RunSerializer
    pagination_class = NewestFirst

    @extend_schema(summary="核查运行记录（系统管理员）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        require(self.request, Action.MANAGE_REGISTERS)
        return Run.objects.select_related("job")

    @extend_schema(
        summary="启动一个月的核查（系统管理员）",
        description="该月已有运行中的核查时返回 409；没有已审核通过的名单时返回 400。",
        request=RunCreateSerializer,
        responses={202: RunSerializer},
    )
    def post(self, request):
        require(request, Action.MANAGE_REGISTERS)
        data = RunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = anomaly_services.run_create(
                month=data.validated_data["month"],
                engine=data.validated_data["engine"],
                actor=request.user,
                request=request,
            )
        except anomaly_services.RunConflict as exc:
            raise Conflict(str(exc)) from None
        except anomaly_services.RunError as exc:
            raise ValidationError({"month": [str(exc)]}) from None
        run = Run.objects.select_related("job").get(pk=run.pk)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["异常核查"], summary="一次核查的状态和进度", responses=RunSerializer)
class RunDetail(ApiView):
    def get(self, request, pk: int):
        require(request, Action.MANAGE_REGISTERS)
        run = get_object_or_404(Run.objects.select_related("job"), pk=pk)
        return Response(RunSerializer(run).data)


# --- findings ---------------------------------------------------------------------------------


class FindingPages(Cursor):
    ordering = "pk"


@extend_schema(
    tags=["异常信息"],
    parameters=[
        OpenApiParameter("programme", str, enum=Programme.values, description="资助项目类别"),
        OpenApiParameter("month", str, description="月份 YYYY-MM"),
        OpenApiParameter("rule", int, description="规则编号"),
        OpenApiParameter("risk", str, enum=Risk.values, description="风险等级"),
        OpenApiParameter("unit", str, description="只列出此单位（含下级）的"),
        OpenApiParameter("status", str, enum=FindingStatus.values, description="处理状态"),
    ],
)
class FindingList(ListView):
    serializer_class = FindingSerializer
    pagination_class = FindingPages

    @extend_schema(
        summary="辖区内的异常信息", description="学生身份按角色显示：本校用户完整，其他用户脱敏。"
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        request = self.request
        require(request, Action.VIEW)
        findings = findings_for(request.user).select_related("school", "row")
        programme = params.choice(request, "programme", Programme.values)
        if programme:
            findings = findings.filter(programme=programme)
        month = params.month(request)
        if month:
            findings = findings.filter(month=month)
        rule = params.integer(request, "rule", 1, 999)
        if rule:
            findings = findings.filter(rule=rule)
        for name, choices in (("risk", Risk.values), ("status", FindingStatus.values)):
            value = params.choice(request, name, choices)
            if value:
                findings = findings.filter(**{name: value})
        code = params.text(request, "unit", 10)
        if code:
            unit = get_unit_for_user(request, code, Action.VIEW)
            findings = findings.filter(school__path__startswith=unit.path)
        return findings

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = finding_rows(request.user, page)
        anomaly_services.audit_full_view(request, rows)
        return self.get_paginated_response(FindingSerializer(rows, many=True).data)


def finding_in_scope(request, pk: int, action: Action = Action.VIEW) -> Finding:
    queryset = Finding.objects.select_related("school", "run", "row")
    return get_object_for_user(request, queryset, action, "school", pk=pk)


def finding_answer(request, finding: Finding) -> dict:
    (row,) = finding_rows(request.user, [finding])
    anomaly_services.audit_full_view(request, [row])
    explanation = anomaly_services.explanation_for(finding)
    data = FindingSerializer(row).data
    data["explanation"] = (
        {
            "id": explanation.pk,
            "verdict": explanation.verdict,
            "note": explanation.note,
            "attachment_name": explanation.attachment_name,
            "at": explanation.at,
            "decision": explanation.decision,
            "comment": explanation.comment,
            "reviewed_at": explanation.reviewed_at,
        }
        if explanation
        else None
    )
    return data


@extend_schema(
    tags=["异常信息"], summary="一条异常信息及其核查说明", responses=FindingDetailSerializer
)
class FindingDetail(ApiView):
    def get(self, request, pk: int):
        return Response(finding_answer(request, finding_in_scope(request, pk)))


@extend_schema(
    tags=["异常信息"],
    summary="填写核查说明（学校业务操作人员），可附附件",
    request={"multipart/form-data": ExplainSerializer, "application/json": ExplainSerializer},
    responses=FindingDetailSerializer,
)
class FindingExplain(ApiView):
    def post(self, request, pk: int):
        require(request, Action.FILE)
        finding = finding_in_scope(request, pk)
        if not anomaly_policy.can_explain(request.user, finding):
            deny(request, "not_the_school_operator")
        data = ExplainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            anomaly_services.explanation_submit(
                finding=finding,
                verdict=data.validated_data["verdict"],
                note=data.validated_data["note"],
                attachment=data.validated_data.get("attachment"),
                actor=request.user,
                request=request,
            )
        except anomaly_services.ExplanationError as exc:
            raise ValidationError(str(exc)) from None
        return Response(finding_answer(request, finding_in_scope(request, pk)))


@extend_schema(
    tags=["异常信息"],
    summary="审核核查说明（辖区主管部门业务操作人员）",
    request=ReviewSerializer,
    responses=FindingDetailSerializer,
)
class FindingReview(ApiView):
    def post(self, request, pk: int):
        require(request, Action.FILE)
        finding = finding_in_scope(request, pk)
        if not anomaly_policy.can_review(request.user, finding):
            deny(request, "not_a_supervising_operator")
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            anomaly_services.explanation_review(
                finding=finding,
                decision=data.validated_data["decision"],
                comment=data.validated_data["comment"],
                actor=request.user,
                request=request,
            )
        except anomaly_services.ExplanationError as exc:
            raise ValidationError(str(exc)) from None
        return Response(finding_answer(request, finding_in_scope(request, pk)))


@extend_schema(tags=["异常信息"], summary="下载核查说明的附件", responses=BINARY)
class ExplanationAttachment(ApiView):
    def get(self, request, pk: int):
        explanation = get_object_for_user(
            request, Explanation.objects.exclude(attachment=""), Action.VIEW, "school", pk=pk
        )
        response = stored_download(
            explanation.attachment,
            name=explanation.attachment_name,
            content_type=explanation.attachment_type,
            fallback="attachment",
        )
        audit_record(
            request=request,
            action="anomalies.attachment",
            obj=explanation,
            detail={"name": explanation.attachment_name},
        )
        return response


# --- jobs -----------------------------------------------------------------------------------


@extend_schema(tags=["后台任务"])
class JobList(ListView):
    serializer_class = JobSerializer
    pagination_class = NewestFirst

    @extend_schema(summary="本人及辖区内的后台任务")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return jobs_for(self.request.user)


@extend_schema(
    tags=["后台任务"], summary="一个后台任务的状态、进度和校验报告", responses=JobSerializer
)
class JobDetail(ApiView):
    def get(self, request, pk: int):
        job = jobs_for(request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return Response(JobSerializer(job).data)


@extend_schema(exclude=True)
class NoSuchResource(ApiView):
    def dispatch(self, request, *args, **kwargs):
        self.http_method_names = [m for m in self.http_method_names if m != "options"]
        return super().dispatch(request, *args, **kwargs)

    def _missing(self, request, *args, **kwargs):
        raise Http404

    get = post = put = patch = delete = head = _missing
