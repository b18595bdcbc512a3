"""Account forms whose emails leave from a task worker, never from the request."""

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template import loader

from conventions.notifications.tasks import send_email_task


class TaskPasswordResetForm(PasswordResetForm):
    """Django's password reset form; the message is rendered here and sent by a task.

    The rendered text (with its link, valid PASSWORD_RESET_TIMEOUT) waits in the task table
    until a worker sends it; `prune_db_task_results` removes finished tasks (see README).
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = None
        if html_email_template_name is not None:
            html_body = loader.render_to_string(html_email_template_name, context)
        transaction.on_commit(
            lambda: send_email_task.enqueue(
                subject, body, [to_email], html_body=html_body, from_email=from_email
            )
        )
