"""The OpenAPI schema: every operation also documents the one error shape (zizhu.api.errors)
for the statuses any API request may get, and the token security scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from zizhu.api.errors import ErrorSerializer

ERROR_STATUSES = {
    "400": "请求数据有误（字段路径见 fields）",
    "401": "未登录，或令牌无效、已过期、已吊销",
    "403": "当前角色无权执行此操作",
    "404": "对象不存在或不在本单位辖区内",
    "405": "不支持的请求方法",
    "409": "与当前状态冲突（例如 Idempotency-Key 已用于其他请求）",
    "415": "不支持的请求格式",
    "429": "请求过于频繁，请按 Retry-After 等待后重试",
    "503": (
        "系统繁忙（busy，未保存任何内容），或数据库、任务队列、磁盘暂不可用；"
        "请按 Retry-After 等待后重试"
    ),
}


class ZizhuAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_STATUSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = description
                responses[code] = response
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "zizhu.api.authentication.TokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "个人 API 令牌：在“账户安全”页面或用 manage.py api_token 创建",
        }
