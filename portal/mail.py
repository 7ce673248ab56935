"""The mail backend of a production server without EMAIL_HOST: every send fails, saying why.

The console backend would print each message, 查询码 included, into the server's log; here the
sender records the e-mail as failed (``applications.services.notify``) and staff see why."""

from django.core.mail.backends.base import BaseEmailBackend


class UnconfiguredEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        raise ConnectionError("未配置邮件服务器（EMAIL_HOST），邮件未发送。")
