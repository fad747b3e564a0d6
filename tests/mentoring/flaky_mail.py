"""An e-mail backend that refuses the first N messages, as a mail server that is briefly down."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend

failures_left = {"count": 0}


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        if failures_left["count"] > 0:
            failures_left["count"] -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
