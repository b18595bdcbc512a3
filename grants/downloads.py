"""How the application hands files back to the browser.

A file someone uploaded (a justificatif, a signed scan) is always served as an attachment with
`X-Content-Type-Options: nosniff`: the browser saves it and never renders it as a page of the
application's origin, whatever it really contains. Documents the application generates itself
(the convention PDF, the register extract) may open in the browser's viewer.
"""

from django.http import FileResponse


def uploaded_file_response(handle, *, filename, content_type):
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def generated_file_response(handle, *, filename, content_type="application/pdf"):
    response = FileResponse(
        handle, as_attachment=False, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
