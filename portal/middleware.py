from django.conf import settings

from portal.audit import current_ip, current_user
from portal.clients import client_ip


class AuditContextMiddleware:
    """Makes the client's address and the signed-in user the defaults of audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        user_token = current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_user.reset(user_token)
            current_ip.reset(token)


# Public pages load scripts only from the static files' path (not from the whole origin, where an
# uploaded file could sit) and styles only from their own origin; style attributes stay allowed
# because sanitised document bodies keep text-align and indents. The admin (CKEditor needs inline
# scripts) and downloads (which set their own policy) are left as they are.
def public_csp(request):
    static_url = settings.STATIC_URL
    if not static_url.startswith(("http://", "https://")):
        static_url = f"{request.scheme}://{request.get_host()}{static_url}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {static_url}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = public_csp(request)
        return response
