"""Parcel carriers per region: ``(name, tracking domain, tracking-number pattern)``.

Each region has the well-known national carriers a real shop ships with (the names the carrier
dictionary knows) and one small regional courier it does not know, so the role model learns
both from the name and from its context. Tracking domains are ``.example`` stand-ins.
"""

from __future__ import annotations

Carrier = tuple[str, str, str]

US: tuple[Carrier, ...] = (
    ("UPS", "ups.example", "1Z{X6}{n10}"),
    ("FedEx", "fedex.example", "{n12}"),
    ("USPS", "usps.example", "94{n20}"),
    ("Northline Freight", "northline-freight.example", "NF{n10}"),
)
CA: tuple[Carrier, ...] = (
    ("Canada Post", "canadapost.example", "{n16}"),
    ("Purolator", "purolator.example", "{n12}"),
    ("MapleParcel", "mapleparcel.example", "MP{n9}CA"),
)
GB: tuple[Carrier, ...] = (
    ("Royal Mail", "royalmail.example", "{A2}{n9}GB"),
    ("Evri", "evri.example", "H{X15}"),
    ("DPD", "dpd.example", "{n14}"),
    ("Parcelwise", "parcelwise.example", "{X16}"),
)
DE: tuple[Carrier, ...] = (
    ("DHL", "dhl.example", "00{n18}"),
    ("Hermes", "hermes.example", "H{n19}"),
    ("GLS", "gls.example", "{n11}"),
    ("Paketblitz", "paketblitz.example", "PB{n12}"),
)
FR: tuple[Carrier, ...] = (
    ("Colissimo", "colissimo.example", "6A{n11}"),
    ("Chronopost", "chronopost.example", "{A2}{n9}FR"),
    ("Relais Hexagone", "relais-hexagone.example", "{n8}"),
)
ES: tuple[Carrier, ...] = (
    ("Correos", "correos.example", "PQ{X4}{n12}"),
    ("SEUR", "seur.example", "{n13}"),
    ("Mensajería Ibérica", "mensajeria-iberica.example", "MI{n10}"),
)
JP: tuple[Carrier, ...] = (
    ("ヤマト運輸", "yamato.example", "{n4}-{n4}-{n4}"),
    ("佐川急便", "sagawa.example", "{n12}"),
    ("さくら急便", "sakura-kyubin.example", "{A2}{n9}JP"),
)
