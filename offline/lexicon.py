"""A multilingual label lexicon: words that transactional mail puts next to each field.

General vocabulary of commerce, billing, travel and account mail in English, German, French,
Spanish and Japanese, written for mailstencil (not taken from any corpus). The role classifier
gets "this context mentions a word for X" as a feature, so a sender whose labels it has never
seen still maps "Gesamtbetrag" or "合計" to a total. One entry names no field: ``boilerplate``,
the words of a mail's own machinery (unsubscribe, settings, privacy, help), whose links and labels
surround nothing a reader wants extracted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

__all__ = ["LEXICON", "mentions", "specific"]

# a word table: several wordings a line reads better than one word a line
# fmt: off
LEXICON: dict[str, tuple[str, ...]] = {
    "order_number": (
        "order", "order number", "order no", "order #", "order id", "reference", "ref.", "confirmation",
        "bestellung", "bestellnummer", "auftragsnummer", "bestell-nr", "commande", "numéro de commande",
        "n° de commande", "pedido", "número de pedido", "nº de pedido", "注文番号", "ご注文番号", "注文",
    ),
    "order_date": (
        "order date", "ordered on", "date ordered", "placed on", "purchase date", "bestelldatum",
        "bestellt am", "date de commande", "commandé le", "fecha del pedido", "fecha de pedido",
        "注文日", "ご注文日",
    ),
    "order_total": (
        "total", "grand total", "order total", "amount paid", "total paid", "total charged", "gesamt",
        "gesamtbetrag", "gesamtsumme", "summe", "endbetrag", "montant total", "total ttc", "importe total",
        "total pagado", "合計", "お支払い金額", "総額", "ご請求額",
    ),
    "order_subtotal": (
        "subtotal", "sub-total", "items total", "zwischensumme", "sous-total", "subtotal", "小計",
    ),
    "tax_amount": (
        "tax", "taxes", "vat", "sales tax", "gst", "mwst", "mehrwertsteuer", "ust", "steuer", "tva",
        "taxe", "iva", "impuesto", "impuestos", "消費税", "税",
    ),
    "shipping_amount": (
        "shipping", "delivery", "postage", "freight", "versand", "versandkosten", "lieferung", "porto",
        "livraison", "frais de port", "frais de livraison", "envío", "gastos de envío", "送料", "配送料",
    ),
    "discount_amount": (
        "discount", "savings", "you saved", "coupon", "promo", "voucher", "rabatt", "gutschein",
        "ermäßigung", "remise", "réduction", "descuento", "cupón", "割引", "クーポン",
    ),
    "refund_amount": (
        "refund", "refunded", "credit", "erstattung", "rückerstattung", "erstattet", "remboursement",
        "remboursé", "reembolso", "reembolsado", "返金", "払い戻し",
    ),
    "payment_method": (
        "payment method", "paid with", "payment", "card", "charged to", "zahlungsart", "zahlungsmethode",
        "bezahlt mit", "karte", "moyen de paiement", "mode de paiement", "carte", "método de pago",
        "forma de pago", "tarjeta", "お支払い方法", "支払い方法", "カード",
    ),
    "item_name": (
        "item", "items", "product", "description", "article", "artikel", "produkt", "bezeichnung",
        "produit", "désignation", "artículo", "producto", "descripción", "商品", "品名", "商品名",
    ),
    "item_quantity": (
        "qty", "quantity", "x", "×", "menge", "anzahl", "stück", "quantité", "qté", "cantidad", "cant.",
        "数量", "個",
    ),
    "item_price": (
        "price", "unit price", "amount", "each", "preis", "einzelpreis", "betrag", "prix", "prix unitaire",
        "montant", "precio", "precio unitario", "importe", "価格", "単価", "金額",
    ),
    "tracking_number": (
        "tracking number", "tracking no", "tracking #", "tracking id", "tracking code", "sendungsnummer",
        "sendungsverfolgung", "paketnummer", "numéro de suivi", "n° de suivi", "número de seguimiento",
        "número de envío", "追跡番号", "お問い合わせ番号", "伝票番号",
    ),
    "tracking_url": (
        "track", "track your", "track package", "track shipment", "tracking", "sendung verfolgen",
        "verfolgen", "suivre", "suivre mon colis", "seguir", "rastrear", "seguimiento", "追跡", "配送状況",
    ),
    "carrier": (
        "carrier", "shipped with", "shipped via", "courier", "shipping method", "versanddienstleister",
        "versandart", "zusteller", "transporteur", "transportista", "empresa de transporte", "配送業者",
        "運送会社",
    ),
    "delivery_date": (
        "estimated delivery", "expected delivery", "arriving", "arrives", "delivery date", "delivered on",
        "voraussichtliche lieferung", "lieferdatum", "zustellung", "livraison prévue", "date de livraison",
        "entrega estimada", "fecha de entrega", "お届け予定", "配達予定", "お届け日",
    ),
    "invoice_number": (
        "invoice", "invoice number", "invoice no", "invoice #", "receipt", "receipt number", "receipt #",
        "rechnung", "rechnungsnummer", "rechnungs-nr", "beleg", "facture", "numéro de facture", "reçu",
        "factura", "número de factura", "recibo", "請求書番号", "領収書番号", "請求書",
    ),
    "invoice_date": (
        "invoice date", "date issued", "issued on", "date of issue", "billing date", "rechnungsdatum",
        "ausstellungsdatum", "date de facture", "date d'émission", "fecha de factura", "fecha de emisión",
        "請求日", "発行日",
    ),
    "due_date": (
        "due date", "due by", "due on", "payment due", "pay by", "fällig", "fälligkeitsdatum", "zahlbar bis",
        "échéance", "date d'échéance", "à payer avant", "vencimiento", "fecha de vencimiento",
        "支払期限", "お支払期限",
    ),
    "amount_due": (
        "amount due", "balance due", "total due", "due", "outstanding", "to pay", "offener betrag",
        "fälliger betrag", "zu zahlen", "montant dû", "à payer", "solde", "importe adeudado",
        "importe pendiente", "a pagar", "ご請求金額", "請求金額", "未払い",
    ),
    "gift_card_code": (
        "gift card code", "code", "card code", "redeem", "gutscheincode", "geschenkkarte", "code cadeau",
        "carte cadeau", "código", "tarjeta regalo", "ギフトカード", "コード",
    ),
    "gift_card_balance": (
        "balance", "gift card balance", "remaining", "value", "guthaben", "restguthaben", "wert", "solde",
        "valeur", "saldo", "valor", "残高",
    ),
    "plan_name": (
        "plan", "subscription", "tier", "package", "tarif", "abo", "abonnement", "paket", "forfait",
        "offre", "suscripción", "plan", "プラン", "サブスクリプション",
    ),
    "trial_end_date": (
        "trial end", "trial expires", "trial ending", "free trial", "testphase endet", "testzeitraum",
        "essai se termine", "période d'essai", "prueba termina", "periodo de prueba", "トライアル終了",
        "無料期間",
    ),
    "reservation_number": (
        "reservation", "booking", "confirmation number", "confirmation code", "booking reference", "pnr",
        "record locator", "buchung", "buchungsnummer", "reservierung", "reservierungsnummer",
        "réservation", "numéro de réservation", "référence", "reserva", "número de reserva",
        "localizador", "予約番号", "予約",
    ),
    "lodging_name": (
        "hotel", "property", "accommodation", "stay at", "unterkunft", "hôtel", "hébergement",
        "alojamiento", "ホテル", "宿泊施設",
    ),
    "checkin_date": (
        "check-in", "check in", "checkin", "arrival", "anreise", "ankunft", "arrivée", "llegada",
        "entrada", "チェックイン", "到着日",
    ),
    "checkout_date": (
        "check-out", "check out", "checkout", "departure", "abreise", "départ", "salida", "チェックアウト",
        "出発日",
    ),
    "room_type": (
        "room", "room type", "zimmer", "zimmertyp", "chambre", "type de chambre", "habitación",
        "tipo de habitación", "部屋", "客室", "ルーム",
    ),
    "flight_number": ("flight", "flight no", "flug", "flugnummer", "vol", "vuelo", "便名", "便"),
    "departure_airport": (
        "from", "depart", "departs", "departure", "origin", "von", "abflug", "de", "départ", "origen",
        "salida", "出発", "出発地",
    ),
    "arrival_airport": (
        "to", "arrive", "arrives", "arrival", "destination", "nach", "ankunft", "à", "arrivée", "destino",
        "llegada", "到着", "到着地",
    ),
    "departure_time": ("departs", "departure", "abflug", "départ", "salida", "出発時刻", "出発"),
    "arrival_time": ("arrives", "arrival", "ankunft", "arrivée", "llegada", "到着時刻", "到着"),
    "passenger_name": ("passenger", "traveler", "traveller", "passagier", "reisender", "passager",
                       "pasajero", "搭乗者", "乗客"),
    "recipient_name": (
        "hi", "hello", "dear", "hey", "thanks", "thank you", "hallo", "liebe", "lieber", "sehr geehrte",
        "guten tag", "bonjour", "cher", "chère", "merci", "hola", "estimado", "estimada", "gracias",
        "様", "さん", "こんにちは", "name", "customer", "kunde", "client", "cliente", "ship to", "bill to",
    ),
    "actor_name": (
        "invited you", "has invited", "invited by", "commented", "mentioned you", "added you", "shared",
        "assigned", "changed", "updated", "wrote", "from", "lädt", "eingeladen", "kommentiert", "invité",
        "a commenté", "vous a", "te ha invitado", "comentó", "invitó", "招待", "コメント",
    ),
    "organization_name": (
        "team", "workspace", "organization", "organisation", "project", "account", "company",
        "join", "projekt", "arbeitsbereich", "organisation", "équipe", "projet", "espace", "equipo",
        "proyecto", "organización", "チーム", "プロジェクト", "組織",
    ),
    "action_url": (
        "reset", "confirm", "verify", "activate", "accept", "join", "view", "open", "sign in", "log in",
        "login", "get started", "complete", "pay", "download", "zurücksetzen", "bestätigen", "aktivieren",
        "annehmen", "ansehen", "anmelden", "réinitialiser", "confirmer", "vérifier", "activer", "accepter",
        "voir", "restablecer", "confirmar", "verificar", "activar", "aceptar", "ver", "確認", "リセット",
        "ログイン", "表示",
    ),
    "verification_code": (
        "verification code", "security code", "one-time", "code", "otp", "pin", "bestätigungscode",
        "sicherheitscode", "code de vérification", "code de sécurité", "código de verificación",
        "código de seguridad", "確認コード", "認証コード",
    ),
    "username": (
        "username", "user name", "email", "e-mail", "account", "login", "benutzername", "konto",
        "nom d'utilisateur", "compte", "usuario", "nombre de usuario", "cuenta", "ユーザー名", "アカウント",
        "メールアドレス",
    ),
    "device_name": (
        "device", "browser", "client", "operating system", "gerät", "appareil", "navigateur",
        "dispositivo", "navegador", "デバイス", "ブラウザ", "端末",
    ),
    "ip_address": ("ip", "ip address", "ip-adresse", "adresse ip", "dirección ip", "ipアドレス"),
    # not a field: the mail's own machinery (unsubscribe, settings, legal, help); its links and
    # labels surround no value a reader wants
    "boilerplate": (
        "unsubscribe", "email preferences", "manage preferences", "notification settings",
        "preferences", "privacy", "privacy policy", "terms", "help center", "view in browser",
        "view online", "abmelden", "abbestellen", "einstellungen", "datenschutz", "impressum", "hilfe",
        "im browser ansehen", "se désabonner", "désinscrire", "préférences", "confidentialité",
        "mentions légales", "aide", "darse de baja", "cancelar suscripción", "preferencias",
        "privacidad", "ayuda", "配信停止", "配信設定", "プライバシー", "ヘルプ",
    ),
    "event_time": (
        "time", "date", "when", "at", "logged in", "signed in", "zeit", "zeitpunkt", "datum", "heure",
        "fecha", "hora", "日時", "時刻",
    ),
}
# fmt: on

SHORT = 3
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


EDGE_WORDS = 3  # a short label word labels a value only from the words of a context next to it


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]]:
    """Per field: its long and CJK terms (anywhere in a label), its short Latin words."""
    out: list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]] = []
    for field, terms in LEXICON.items():
        latin = sorted({t for t in terms if not _CJK.search(t)}, key=len, reverse=True)
        cjk = sorted({t for t in terms if _CJK.search(t)}, key=len, reverse=True)
        parts = []
        short = [t for t in latin if len(t) <= SHORT]
        long = [t for t in latin if len(t) > SHORT]
        if long:
            parts.append(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in long) + r")")
        if cjk:
            parts.append("(?:" + "|".join(re.escape(t) for t in cjk) + ")")
        anywhere = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        words = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in short) + r")(?!\w)", re.IGNORECASE)
            if short
            else None
        )
        out.append((field, anywhere, words))
    return out


# the mail speaking of itself ("this email is to let you know", "diese E-Mail wurde an … gesendet"):
# no label of the account's address
_THIS_MAIL = re.compile(
    r"(?<!\w)(?:this|diese[rnms]?|cet(?:te)?|ce|este|esta)\s+(?:e-?mail|message|nachricht|correo|mensaje)"
    r"|この(?:メール|メッセージ)",
    re.IGNORECASE,
)


def _hits(text: str, edge: Literal["end", "start"] | None) -> dict[str, int]:
    """Per field (or ``boilerplate``) that ``text`` mentions, the length of its longest term found."""
    if not text:
        return {}
    low = _THIS_MAIL.sub(" ", " ".join(text.lower().split()))
    near = low
    if edge is not None:
        words = low.split()
        near = " ".join(words[-EDGE_WORDS:] if edge == "end" else words[:EDGE_WORDS])
    out: dict[str, int] = {}
    for field, anywhere, short in _patterns():
        longest = max((len(m[0]) for m in anywhere.finditer(low)), default=0) if anywhere else 0
        if not longest and short is not None and (m := short.search(near)):
            longest = len(m[0])
        if longest:
            out[field] = longest
    return out


def mentions(text: str, edge: Literal["end", "start"] | None = None) -> list[str]:
    """Fields (or ``boilerplate``) whose label words occur in ``text`` (Latin words at a word
    start, so German compounds like "Versandkosten" still hit "versand"; CJK anywhere).

    ``edge``: the text is a value's context that ends (``"end"``) or starts (``"start"``) at the
    value; its short words ("to", "at", "de", "x") then count only among the ``EDGE_WORDS``
    words next to the value: "to" labels "Flight to <airport>", not "is to notify you that"."""
    return list(_hits(text, edge))


def specific(text: str, edge: Literal["end", "start"] | None = None) -> list[str]:
    """The fields of :func:`mentions` whose term found is the longest: the most specific reading
    of a label ("Trial end date" is a trial's end before it is any date, "Device name" a device
    before it is any name, "Due by" a due date before an amount due)."""
    hits = _hits(text, edge)
    top = max(hits.values(), default=0)
    return [field for field, n in hits.items() if n == top]
