"""Language taglines printed with every Notice of Action (45 CFR 92.11; DHCS APL 21-004).

Each line tells a reader, in their language, that free language help is available.
Kept in scripts the letter font (DejaVu Sans) draws, so the printed page is legible.
"""
from __future__ import annotations

TAGLINES: tuple[tuple[str, str], ...] = (
    ("English", "ATTENTION: If you need help in your language, call {phone} (TTY: 711). Aids and services for people "
                "with disabilities, like documents in braille and large print, are also available. These services are free."),
    ("Español", "ATENCIÓN: Si necesita ayuda en su idioma, llame al {phone} (TTY: 711). También ofrecemos asistencia y "
                "servicios para personas con discapacidades, como documentos en braille y con letras grandes. Estos servicios son gratuitos."),
    ("Tiếng Việt", "CHÚ Ý: Nếu quý vị cần trợ giúp bằng ngôn ngữ của mình, vui lòng gọi số {phone} (TTY: 711). "
                   "Các dịch vụ này đều miễn phí."),
    ("Tagalog", "ATENSIYON: Kung kailangan mo ng tulong sa iyong wika, tumawag sa {phone} (TTY: 711). "
                "Libre ang mga serbisyong ito."),
    ("Русский", "ВНИМАНИЕ! Если вам нужна помощь на вашем родном языке, звоните по номеру {phone} (линия TTY: 711). "
                "Такие услуги предоставляются бесплатно."),
    ("Հայերեն", "ՈՒՇԱԴՐՈՒԹՅՈՒՆ: Եթե Ձեզ օգնություն է հարկավոր Ձեր լեզվով, զանգահարեք {phone} (TTY: 711). "
                "Այդ ծառայություններն անվճար են։"),
    ("Hmoob", "CEEB TOOM: Yog koj xav tau kev pab txhais koj hom lus hu rau {phone} (TTY: 711). "
              "Cov kev pab cuam no yog pab dawb xwb."),
    ("Português", "ATENÇÃO: Se precisar de ajuda no seu idioma, ligue para {phone} (TTY: 711). Estes serviços são gratuitos."),
)


def taglines_text(phone: str) -> str:
    """All taglines, one paragraph each, with the sender's phone number."""
    phone = phone or "1-800-541-5555"
    return "\n\n".join(f"{language}: {text.format(phone=phone)}" for language, text in TAGLINES)
