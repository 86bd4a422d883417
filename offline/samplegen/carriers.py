"""Fictional parcel carriers per region: ``(name, tracking domain, tracking-number pattern)``."""

from __future__ import annotations

Carrier = tuple[str, str, str]

US: tuple[Carrier, ...] = (
    ("ParcelJet", "parceljet.example", "PJ{n10}"),
    ("SwiftShip", "swiftship.example", "1S{X6}{n8}"),
    ("Northline Freight", "northline-freight.example", "{n12}"),
)
CA: tuple[Carrier, ...] = (
    ("MapleParcel", "mapleparcel.example", "MP{n9}CA"),
    ("SwiftShip", "swiftship.example", "1S{X6}{n8}"),
)
GB: tuple[Carrier, ...] = (
    ("Royal Courier Co.", "royalcourier.example", "RC{n9}GB"),
    ("Parcelwise", "parcelwise.example", "{X16}"),
    ("Evergreen Express", "evergreen-express.example", "EE {n4} {n4} {n4}"),
)
DE: tuple[Carrier, ...] = (
    ("Paketblitz", "paketblitz.example", "{n14}"),
    ("EuroKurier", "eurokurier.example", "EK{n9}DE"),
    ("Hermelin Logistik", "hermelin.example", "H{n19}"),
)
FR: tuple[Carrier, ...] = (
    ("Colis Express", "colisexpress.example", "{A2}{n9}FR"),
    ("Rapide Poste", "rapideposte.example", "6A{n11}"),
    ("Relais Hexagone", "relais-hexagone.example", "{n8}"),
)
ES: tuple[Carrier, ...] = (
    ("Envíos Sol", "enviossol.example", "ES{n10}"),
    ("Mensajería Ibérica", "mensajeria-iberica.example", "{n13}"),
)
JP: tuple[Carrier, ...] = (
    ("ヤマネコ運輸", "yamaneko.example", "{n4}-{n4}-{n4}"),
    ("さくら急便", "sakura-kyubin.example", "{n12}"),
    ("日本ポスト便", "nipponpost.example", "{A2}{n9}JP"),
)
