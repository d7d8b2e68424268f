"""Form fields as the resident's templates show them: {{ field|described_by:help }}."""

from django import forms, template

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


# Widgets drawn as several inputs (radio buttons, a list of checkboxes): their own id is
# that of no element, so a link to the field goes to the first choice.
_MULTIPLE_INPUTS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def error_summary(form) -> list[tuple[str, str]]:
    """Each problem of ``form`` as ``(message, id of the element to go to)``.

    The form's own problems (``non_field_errors`` and those of hidden fields) come first,
    with ``""`` for the id: there is no field to go to. Then each visible field's, in the
    form's order, with the id of its input (of its first choice for radio buttons).
    """
    items = [(str(message), "") for message in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [(str(message), "") for message in field.errors]
    for field in form.visible_fields():
        if not field.errors:
            continue
        if isinstance(field.field.widget, _MULTIPLE_INPUTS):
            target = f"{field.auto_id}_0"
        else:
            target = field.id_for_label
        items += [(str(message), target or "") for message in field.errors]
    return items
