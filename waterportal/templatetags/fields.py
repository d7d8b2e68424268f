"""Form fields as the resident's templates show them: {{ field|described_by:help }}."""

from django import template

register = template.Library()


@register.filter
def described_by(field, hint=""):
    """The field's widget, pointing a screen reader at its hint and its errors.

    ``includes/field.html`` writes the hint (``<id>_help``) and the errors
    (``<id>_error``) next to the field; Django alone points only at its own help_text.
    """
    ids = [f"{field.auto_id}_help"] if hint else []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    if not ids:
        return field.as_widget()
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)})
