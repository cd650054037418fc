"""The first version of every notice template, in English and Spanish, loaded by a data migration.

Administrators edit templates afterwards in the admin (each edit saves a new
version). Variables every template may use are listed in
:func:`notices.services.notice_context`; a Notice of Action also takes ``action``,
``reason`` and ``rule`` from the caller. ``{{ page_break }}`` starts a new page
in the PDF (the taglines page).
"""
from __future__ import annotations

# --------------------------------------------------------------------------- shared NOA parts

_NOA_HEAD = {
    "en": """Dear {{ recipient_name }}:

This is a Notice of Action about {{ member_name }} (Medi-Cal ID {{ member_cin }}).
{INTRO}
{% section "action" %}{% if action %}WHAT WE DECIDED
{{ action }}{% if action_date %} This takes effect on {{ action_date|date:"F j, Y" }}.{% endif %}{% endif %}{% endsection %}

{% section "reason" %}{% if reason %}WHY
{{ reason }}{% endif %}{% endsection %}

{% section "rule" %}{% if rule %}THE RULE WE USED
This decision is based on {{ rule }}.{% endif %}{% endsection %}
""",
    "es": """Estimado/a {{ recipient_name }}:

Este es un Aviso de Acción sobre {{ member_name }} (número de identificación de Medi-Cal {{ member_cin }}).
{INTRO}
{% section "action" %}{% if action %}LO QUE DECIDIMOS
{{ action }}{% if action_date %} Esto entra en vigor el {{ action_date|date:"j \\d\\e F \\d\\e Y" }}.{% endif %}{% endif %}{% endsection %}

{% section "reason" %}{% if reason %}POR QUÉ
{{ reason }}{% endif %}{% endsection %}

{% section "rule" %}{% if rule %}LA REGLA QUE APLICAMOS
Esta decisión se basa en {{ rule }}.{% endif %}{% endsection %}
""",
}

_PLAN_RIGHTS = {
    "en": """{% section "appeal_rights" %}YOUR RIGHT TO APPEAL
If you do not agree with this decision, you can ask for an appeal. You must ask within 60 calendar days from the date of this notice. You can ask by phone, in writing, or in person. Call {{ sender_name }} at {{ sender_phone|default:"the number on your Medi-Cal card" }}. We will send you our decision within 30 days.{% endsection %}

{% section "expedited_review" %}FAST (EXPEDITED) APPEAL
If waiting 30 days could seriously harm your life, health or ability to reach, keep or regain maximum function, you or your doctor can ask for an expedited appeal. We will decide it within 72 hours.{% endsection %}

{% section "state_hearing" %}YOUR RIGHT TO A STATE HEARING
If we do not change our decision after your appeal, or we do not decide your appeal in time, you can ask for a State Hearing within 120 calendar days of our appeal decision. Call the California Department of Social Services at 1-800-743-8525 (TTY 1-800-952-8349), write to the State Hearings Division, P.O. Box 944243, Mail Station 9-17-37, Sacramento, CA 94244-2430, or ask online at www.cdss.ca.gov. An expedited State Hearing is decided within 3 working days.{% endsection %}

{% section "continuation_of_benefits" %}KEEPING YOUR SERVICES DURING YOUR APPEAL (AID PAID PENDING)
If you already get the service and you ask for an appeal within 10 days of the date this notice was mailed, or before the date the change takes effect, you can keep getting the service while your appeal is decided.{% endsection %}

{% section "representative" %}HELP AND REPRESENTATION
You can speak for yourself, or have a relative, friend, advocate, attorney or anyone else speak for you. You can get free legal help from your local legal aid office or the Medi-Cal Managed Care Ombudsman at 1-888-452-8609.{% endsection %}
""",
    "es": """{% section "appeal_rights" %}SU DERECHO A APELAR
Si no está de acuerdo con esta decisión, puede pedir una apelación. Debe pedirla dentro de los 60 días calendario a partir de la fecha de este aviso. Puede pedirla por teléfono, por escrito o en persona. Llame a {{ sender_name }} al {{ sender_phone|default:"número que aparece en su tarjeta de Medi-Cal" }}. Le enviaremos nuestra decisión dentro de 30 días.{% endsection %}

{% section "expedited_review" %}APELACIÓN RÁPIDA (ACELERADA)
Si esperar 30 días podría poner en grave peligro su vida, su salud o su capacidad de alcanzar, mantener o recuperar su función máxima, usted o su médico pueden pedir una apelación acelerada. La decidiremos dentro de 72 horas.{% endsection %}

{% section "state_hearing" %}SU DERECHO A UNA AUDIENCIA ESTATAL
Si no cambiamos nuestra decisión después de su apelación, o si no decidimos su apelación a tiempo, puede pedir una Audiencia Estatal dentro de los 120 días calendario siguientes a nuestra decisión sobre la apelación. Llame al Departamento de Servicios Sociales de California al 1-800-743-8525 (TTY 1-800-952-8349), escriba a State Hearings Division, P.O. Box 944243, Mail Station 9-17-37, Sacramento, CA 94244-2430, o pídala en línea en www.cdss.ca.gov. Una Audiencia Estatal acelerada se decide dentro de 3 días hábiles.{% endsection %}

{% section "continuation_of_benefits" %}CÓMO SEGUIR RECIBIENDO SUS SERVICIOS DURANTE LA APELACIÓN (AYUDA PAGADA PENDIENTE)
Si ya recibe el servicio y pide una apelación dentro de los 10 días siguientes a la fecha en que se envió este aviso por correo, o antes de la fecha en que entra en vigor el cambio, puede seguir recibiendo el servicio mientras se decide su apelación.{% endsection %}

{% section "representative" %}AYUDA Y REPRESENTACIÓN
Puede hablar por sí mismo/a o pedir que un familiar, amigo, defensor, abogado u otra persona hable por usted. Puede obtener ayuda legal gratuita en su oficina local de asistencia legal o con el Ombudsman de Atención Administrada de Medi-Cal al 1-888-452-8609.{% endsection %}
""",
}

_CCS_RIGHTS = {
    "en": """{% section "appeal_rights" %}YOUR RIGHT TO APPEAL
If you do not agree with this decision, you can appeal. Send a written appeal to {{ sender_name }} within 30 calendar days of the date of this notice. We will answer within 21 calendar days of receiving it. You can call {{ sender_phone|default:"your CCS program" }} for help writing it.{% endsection %}

{% section "expedited_review" %}FAST (EXPEDITED) REVIEW
If waiting for a standard appeal could seriously harm the child's life or health, say so in your appeal and ask for an expedited review; it will be decided within 72 hours.{% endsection %}

{% section "state_hearing" %}YOUR RIGHT TO A STATE FAIR HEARING
If you do not agree with the decision on your appeal, you can ask for a State Fair Hearing within 14 calendar days after you receive the appeal decision. Call the California Department of Social Services at 1-800-743-8525 (TTY 1-800-952-8349).{% endsection %}

{% section "continuation_of_benefits" %}KEEPING SERVICES DURING YOUR APPEAL
If the child already gets the service and you appeal before the date the change takes effect, the service continues until the appeal is decided.{% endsection %}

{% section "representative" %}HELP AND REPRESENTATION
You can represent yourself, or have a relative, friend, advocate, attorney or anyone else represent you. Free legal help may be available from your local legal aid office.{% endsection %}
""",
    "es": """{% section "appeal_rights" %}SU DERECHO A APELAR
Si no está de acuerdo con esta decisión, puede apelar. Envíe una apelación por escrito a {{ sender_name }} dentro de los 30 días calendario a partir de la fecha de este aviso. Le responderemos dentro de los 21 días calendario siguientes a su recepción. Puede llamar al {{ sender_phone|default:"programa CCS de su condado" }} para que le ayuden a escribirla.{% endsection %}

{% section "expedited_review" %}REVISIÓN RÁPIDA (ACELERADA)
Si esperar una apelación normal podría poner en grave peligro la vida o la salud del niño o de la niña, dígalo en su apelación y pida una revisión acelerada; se decidirá dentro de 72 horas.{% endsection %}

{% section "state_hearing" %}SU DERECHO A UNA AUDIENCIA IMPARCIAL ESTATAL
Si no está de acuerdo con la decisión sobre su apelación, puede pedir una Audiencia Imparcial Estatal dentro de los 14 días calendario siguientes a recibir esa decisión. Llame al Departamento de Servicios Sociales de California al 1-800-743-8525 (TTY 1-800-952-8349).{% endsection %}

{% section "continuation_of_benefits" %}CÓMO SEGUIR RECIBIENDO LOS SERVICIOS DURANTE LA APELACIÓN
Si el niño o la niña ya recibe el servicio y usted apela antes de la fecha en que entra en vigor el cambio, el servicio continúa hasta que se decida la apelación.{% endsection %}

{% section "representative" %}AYUDA Y REPRESENTACIÓN
Puede representarse a sí mismo/a o pedir que un familiar, amigo, defensor, abogado u otra persona le represente. Es posible que obtenga ayuda legal gratuita en su oficina local de asistencia legal.{% endsection %}
""",
}

_NOA_TAIL = {
    "en": """{% section "nondiscrimination" %}NONDISCRIMINATION NOTICE
Discrimination is against the law. {{ sender_name }} follows State and Federal civil rights laws. We do not unlawfully discriminate, exclude people, or treat them differently because of sex, race, color, religion, ancestry, national origin, ethnic group identification, age, mental disability, physical disability, medical condition, genetic information, marital status, gender, gender identity, or sexual orientation. We provide free aids and services to people with disabilities, and free language services, including qualified interpreters and information written in other languages. If you believe we have failed to provide these services or discriminated against you, you can file a grievance with us or a complaint with the Office for Civil Rights, California Department of Health Care Services, at 1-916-440-7370 (TTY 711).{% endsection %}

Sincerely,
{{ sender_name }}
{{ page_break }}
{% section "taglines" %}LANGUAGE ASSISTANCE
{{ taglines }}{% endsection %}
""",
    "es": """{% section "nondiscrimination" %}AVISO DE NO DISCRIMINACIÓN
La discriminación es contra la ley. {{ sender_name }} cumple las leyes estatales y federales de derechos civiles. No discriminamos ilegalmente, no excluimos a las personas ni las tratamos de manera diferente por su sexo, raza, color, religión, ascendencia, nacionalidad, identificación con un grupo étnico, edad, discapacidad mental, discapacidad física, condición médica, información genética, estado civil, género, identidad de género u orientación sexual. Ofrecemos ayudas y servicios gratuitos a personas con discapacidades y servicios de idiomas gratuitos, como intérpretes calificados e información escrita en otros idiomas. Si cree que no le dimos estos servicios o que le discriminamos, puede presentar una queja ante nosotros o ante la Oficina de Derechos Civiles del Departamento de Servicios de Atención Médica de California al 1-916-440-7370 (TTY 711).{% endsection %}

Atentamente,
{{ sender_name }}
{{ page_break }}
{% section "taglines" %}ASISTENCIA EN SU IDIOMA
{{ taglines }}{% endsection %}
""",
}

_CLOSING = {
    "en": "\nIf you have questions, call {{ sender_name }}{% if sender_phone %} at {{ sender_phone }}{% endif %}.\n\nSincerely,\n{{ sender_name }}\n",
    "es": "\nSi tiene preguntas, llame a {{ sender_name }}{% if sender_phone %} al {{ sender_phone }}{% endif %}.\n\nAtentamente,\n{{ sender_name }}\n",
}

_DATE = {"en": '"F j, Y"', "es": '"j \\d\\e F \\d\\e Y"'}


def _d(var: str, lang: str) -> str:
    return "{{ %s|date:%s }}" % (var, _DATE[lang])


def _noa(lang: str, intro: str, rights: dict) -> str:
    return _NOA_HEAD[lang].replace("{INTRO}", intro) + "\n" + rights[lang] + "\n" + _NOA_TAIL[lang]


def _letter(lang: str, text: str) -> str:
    greeting = "Dear {{ recipient_name }}:" if lang == "en" else "Estimado/a {{ recipient_name }}:"
    return f"{greeting}\n\n{text}\n{{% if message %}}\n{{{{ message }}}}\n{{% endif %}}{_CLOSING[lang]}"


def templates() -> list[dict]:
    """Every (kind, language) with its subject and body, version 1."""
    T: list[dict] = []

    def add(kind: str, lang: str, subject: str, body: str) -> None:
        T.append({"kind": kind, "language": lang, "subject": subject, "body": body})

    # Notices of Action -----------------------------------------------------
    add("noa_plan_choice", "en", "Notice of Action: your Medi-Cal health plan",
        _noa("en", "{% if plan_name %}Your Medi-Cal managed care health plan will be {{ plan_name }}.{% endif %}\n", _PLAN_RIGHTS))
    add("noa_plan_choice", "es", "Aviso de Acción: su plan de salud de Medi-Cal",
        _noa("es", "{% if plan_name %}Su plan de salud de atención administrada de Medi-Cal será {{ plan_name }}.{% endif %}\n", _PLAN_RIGHTS))
    add("advance_notice", "en", "Notice of Action: a change to your services",
        _noa("en", "{% if service %}Service: {{ service }}{% endif %}\n", _PLAN_RIGHTS))
    add("advance_notice", "es", "Aviso de Acción: un cambio en sus servicios",
        _noa("es", "{% if service %}Servicio: {{ service }}{% endif %}\n", _PLAN_RIGHTS))
    add("ccs_noa", "en", "Notice of Action: California Children's Services",
        _noa("en", "{% if service %}Service or request: {{ service }}{% endif %}\n", _CCS_RIGHTS))
    add("ccs_noa", "es", "Aviso de Acción: Servicios para Niños de California (CCS)",
        _noa("es", "{% if service %}Servicio o solicitud: {{ service }}{% endif %}\n", _CCS_RIGHTS))
    add("ccs_denial", "en", "Notice of Action: CCS program eligibility denied",
        _noa("en", "The California Children's Services (CCS) program reviewed the request for {{ member_name }}.\n", _CCS_RIGHTS))
    add("ccs_denial", "es", "Aviso de Acción: se negó la elegibilidad para el programa CCS",
        _noa("es", "El programa de Servicios para Niños de California (CCS) revisó la solicitud para {{ member_name }}.\n", _CCS_RIGHTS))

    # Letters and notifications ---------------------------------------------
    add("ccs_eligibility", "en", "CCS eligibility: {{ member_name }}", _letter("en",
        "{{ member_name }} (Medi-Cal ID {{ member_cin }}, born " + _d("member_dob", "en") + ") is eligible for California Children's "
        "Services{% if condition %} for {{ condition }}{% endif %}{% if eligibility_date %}, starting " + _d("eligibility_date", "en") + "{% endif %}.\n"
        "{% if case_number %}CCS case number: {{ case_number }}.{% endif %} Please send authorization requests for CCS-eligible "
        "services to the CCS program."))
    add("ccs_eligibility", "es", "Elegibilidad para CCS: {{ member_name }}", _letter("es",
        "{{ member_name }} (número de Medi-Cal {{ member_cin }}, fecha de nacimiento " + _d("member_dob", "es") + ") es elegible para "
        "los Servicios para Niños de California (CCS){% if condition %} por {{ condition }}{% endif %}{% if eligibility_date %}, a partir del "
        + _d("eligibility_date", "es") + "{% endif %}.\n{% if case_number %}Número de caso de CCS: {{ case_number }}.{% endif %} "
        "Envíe las solicitudes de autorización de servicios elegibles para CCS al programa CCS."))
    add("ecm_enrollment_notification", "en", "ECM enrollment: {{ member_name }}", _letter("en",
        "{{ member_name }} (Medi-Cal ID {{ member_cin }}) is enrolled in Enhanced Care Management (ECM)"
        "{% if enrollment_date %} as of " + _d("enrollment_date", "en") + "{% endif %}.\n"
        "{% if ecm_provider %}ECM provider: {{ ecm_provider }}.{% endif %}{% if lead_care_manager %} Lead care manager: {{ lead_care_manager }}.{% endif %}\n"
        "Please include the lead care manager in child and family team meetings and share placement changes."))
    add("ecm_enrollment_notification", "es", "Inscripción en ECM: {{ member_name }}", _letter("es",
        "{{ member_name }} (número de Medi-Cal {{ member_cin }}) está inscrito/a en Administración de Atención Mejorada (ECM)"
        "{% if enrollment_date %} desde el " + _d("enrollment_date", "es") + "{% endif %}.\n"
        "{% if ecm_provider %}Proveedor de ECM: {{ ecm_provider }}.{% endif %}{% if lead_care_manager %} Administrador/a principal de atención: {{ lead_care_manager }}.{% endif %}\n"
        "Incluya al administrador/a principal de atención en las reuniones del equipo del niño y la familia y comunique los cambios de colocación."))
    for kind, en_word, es_word in (("residential_admission", "admitted to", "ingresó a"),
                                   ("residential_discharge", "discharged from", "fue dado/a de alta de")):
        en_title = "admission" if kind.endswith("admission") else "discharge"
        es_title = "ingreso" if kind.endswith("admission") else "alta"
        add(kind, "en", f"Residential treatment {en_title}: {{{{ member_name }}}}", _letter("en",
            f"{{{{ member_name }}}} (Medi-Cal ID {{{{ member_cin }}}}) was {en_word} residential substance use disorder treatment"
            "{% if facility_name %} at {{ facility_name }}{% endif %}{% if event_date %} on " + _d("event_date", "en") + "{% endif %}."
            "{% if asam_level %} ASAM level of care: {{ asam_level }}.{% endif %}\n"
            "Please reply to acknowledge this notification and coordinate physical health care."))
        add(kind, "es", f"Tratamiento residencial, {es_title}: {{{{ member_name }}}}", _letter("es",
            f"{{{{ member_name }}}} (número de Medi-Cal {{{{ member_cin }}}}) {es_word} tratamiento residencial por trastorno por consumo de sustancias"
            "{% if facility_name %} en {{ facility_name }}{% endif %}{% if event_date %} el " + _d("event_date", "es") + "{% endif %}."
            "{% if asam_level %} Nivel de atención ASAM: {{ asam_level }}.{% endif %}\n"
            "Responda para confirmar que recibió esta notificación y coordine la atención de salud física."))
    for days, en_n, es_n in ((90, "first", "primer"), (60, "second", "segundo"), (30, "last", "último")):
        add(f"wcm_transition_{days}", "en", "Your child's CCS services are moving to {{ plan_name|default:'your health plan' }}", _letter("en",
            f"This is your {en_n} notice. On " + _d("action_date", "en") + ", the CCS services of {{ member_name }} will be provided "
            "through {{ plan_name|default:'your Medi-Cal health plan' }} under the Whole Child Model. Your child keeps the same CCS "
            "benefits, and can keep seeing current CCS providers for up to 12 months (continuity of care). You do not need to do anything "
            "to keep services."))
        add(f"wcm_transition_{days}", "es", "Los servicios de CCS de su hijo/a pasan a {{ plan_name|default:'su plan de salud' }}", _letter("es",
            f"Este es su {es_n} aviso. El " + _d("action_date", "es") + ", los servicios de CCS de {{ member_name }} se prestarán a través "
            "de {{ plan_name|default:'su plan de salud de Medi-Cal' }} bajo el Modelo del Niño Integral (Whole Child Model). Su hijo/a "
            "conserva los mismos beneficios de CCS y puede seguir viendo a sus proveedores actuales de CCS hasta por 12 meses "
            "(continuidad de la atención). No necesita hacer nada para conservar los servicios."))
    add("continuity_of_care_decision", "en", "Your continuity of care request", _letter("en",
        "We decided your request to keep seeing {{ provider_name|default:'your current provider' }}: {{ decision }}."
        "{% if until %} You may keep seeing this provider until " + _d("until", "en") + ".{% endif %}"
        "{% if reason %}\nReason: {{ reason }}{% endif %}\nIf you disagree, you can file a grievance or appeal with your health plan."))
    add("continuity_of_care_decision", "es", "Su solicitud de continuidad de la atención", _letter("es",
        "Decidimos su solicitud de seguir viendo a {{ provider_name|default:'su proveedor actual' }}: {{ decision }}."
        "{% if until %} Puede seguir viendo a este proveedor hasta el " + _d("until", "es") + ".{% endif %}"
        "{% if reason %}\nMotivo: {{ reason }}{% endif %}\nSi no está de acuerdo, puede presentar una queja o una apelación ante su plan de salud."))
    add("eligibility_outcome_to_plan", "en", "Eligibility outcome: {{ member_name }}", _letter("en",
        "Eligibility outcome for {{ member_name }} (Medi-Cal ID {{ member_cin }}): {{ outcome }}."
        "{% if effective_date %} Effective " + _d("effective_date", "en") + ".{% endif %}"))
    add("eligibility_outcome_to_plan", "es", "Resultado de elegibilidad: {{ member_name }}", _letter("es",
        "Resultado de elegibilidad de {{ member_name }} (número de Medi-Cal {{ member_cin }}): {{ outcome }}."
        "{% if effective_date %} En vigor a partir del " + _d("effective_date", "es") + ".{% endif %}"))
    add("crisis_follow_up", "en", "Crisis follow-up: {{ member_name }}", _letter("en",
        "{{ member_name }} (Medi-Cal ID {{ member_cin }}) received crisis services{% if event_date %} on " + _d("event_date", "en") + "{% endif %}."
        "{% if follow_up %}\nFollow-up plan: {{ follow_up }}{% endif %}"))
    add("crisis_follow_up", "es", "Seguimiento de crisis: {{ member_name }}", _letter("es",
        "{{ member_name }} (número de Medi-Cal {{ member_cin }}) recibió servicios de crisis{% if event_date %} el " + _d("event_date", "es") + "{% endif %}."
        "{% if follow_up %}\nPlan de seguimiento: {{ follow_up }}{% endif %}"))
    add("mat_referral", "en", "Referral for medication for addiction treatment: {{ member_name }}", _letter("en",
        "We refer {{ member_name }} (Medi-Cal ID {{ member_cin }}, born " + _d("member_dob", "en") + ") for medication for addiction "
        "treatment (MAT){% if medication %}: {{ medication }}{% endif %}. Please contact the member to schedule an appointment."))
    add("mat_referral", "es", "Remisión para tratamiento de la adicción con medicamentos: {{ member_name }}", _letter("es",
        "Remitimos a {{ member_name }} (número de Medi-Cal {{ member_cin }}, fecha de nacimiento " + _d("member_dob", "es") + ") para "
        "tratamiento de la adicción con medicamentos (MAT){% if medication %}: {{ medication }}{% endif %}. Comuníquese con la persona para programar una cita."))
    add("pcp_medical_report", "en", "Medical report: {{ member_name }}", _letter("en",
        "Please find the medical report for your patient {{ member_name }} (Medi-Cal ID {{ member_cin }}, born " + _d("member_dob", "en") + ")."
        "{% if summary %}\n{{ summary }}{% endif %}"))
    add("pcp_medical_report", "es", "Informe médico: {{ member_name }}", _letter("es",
        "Le enviamos el informe médico de su paciente {{ member_name }} (número de Medi-Cal {{ member_cin }}, fecha de nacimiento "
        + _d("member_dob", "es") + ").{% if summary %}\n{{ summary }}{% endif %}"))
    add("generic", "en", "{{ title|default:'A letter about your care' }}", _letter("en", "{{ body_text }}"))
    add("generic", "es", "{{ title|default:'Una carta sobre su atención' }}", _letter("es", "{{ body_text }}"))
    return T


def seed(NoticeTemplate) -> int:
    """Create version 1 of each template not yet present (works with the historical model in a migration)."""
    created = 0
    for row in templates():
        _, made = NoticeTemplate.objects.get_or_create(
            kind=row["kind"], language=row["language"], version=1,
            defaults={"subject": row["subject"], "body": row["body"], "is_active": True, "required_sections": []},
        )
        created += made
    return created


def refresh(NoticeTemplate) -> int:
    """Bring databases seeded with an earlier shipped wording up to date by adding a new version.

    Only where the active template is still a shipped one (no author) and differs from the current
    shipped text; an administrator's own version is left alone, and old versions stay for sent notices.
    """
    added = 0
    for row in templates():
        active = NoticeTemplate.objects.filter(kind=row["kind"], language=row["language"], is_active=True).first()
        if active is None or active.created_by_id is not None or (active.subject, active.body) == (row["subject"], row["body"]):
            continue
        latest = NoticeTemplate.objects.filter(kind=row["kind"], language=row["language"]).order_by("-version").first()
        NoticeTemplate.objects.filter(pk=active.pk).update(is_active=False)
        NoticeTemplate.objects.create(kind=row["kind"], language=row["language"], version=latest.version + 1,
                                      subject=row["subject"], body=row["body"], is_active=True, required_sections=[])
        added += 1
    return added
