"""The A3 poster and the static map it is drawn with: size, legend, figures, and no resident."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import geopandas as gpd
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from pypdf import PdfReader

from abcd.model import RD_NEW, Category
from abcd.portrait import static_map
from abcd.portrait.data import ReportData, load_report_data
from abcd.portrait.poster import A3_MM, POSTER_DPI, poster_figure, wijk_poster
from abcd.store import Store
from abcd.styles import CATEGORY_STYLE
from abcd.wijken import Wijk
from tests.portrait_support import PERSON_STRINGS, fill_botu


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, botu: Wijk, botu_streets: gpd.GeoDataFrame) -> Iterator[Store]:
    """BoTu with the examples and seven residents, built once for this module (the tests only read it)."""
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('portrait')}/abcd.db")
    store.save_wijk(botu.record(), botu_streets.copy())
    yield fill_botu(store)
    store.close()


@pytest.fixture
def data(mapped: Store, botu: Wijk, catalogue: dict[str, Wijk]) -> ReportData:
    return load_report_data(mapped, botu, catalogue, since=date(2026, 1, 1), made_on=date(2026, 11, 22))


def texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def test_the_poster_is_a3_portrait(data: ReportData) -> None:
    width, height = poster_figure(data).get_size_inches() * 25.4
    assert (round(width, 6), round(height, 6)) == A3_MM == (297.0, 420.0)


def test_the_png_has_a3_pixels_at_the_chosen_dpi(data: ReportData) -> None:
    image = Image.open(io.BytesIO(wijk_poster(data, fmt="png", dpi=50.8)))  # 2 pixels per millimetre
    assert image.size == (594, 840)
    assert image.info["dpi"] == pytest.approx((50.8, 50.8))
    # The default resolution is 10 pixels per millimetre, so a print shop gets 2970 x 4200 pixels.
    assert [round(mm / 25.4 * POSTER_DPI) for mm in A3_MM] == [2970, 4200]


def test_the_pdf_poster_is_a3_with_the_figures_and_no_resident(data: ReportData) -> None:
    page = PdfReader(io.BytesIO(wijk_poster(data, fmt="pdf", lang="nl"))).pages[0]
    assert float(page.mediabox.width) / 72 * 25.4 == pytest.approx(297, abs=0.01)
    assert float(page.mediabox.height) / 72 * 25.4 == pytest.approx(420, abs=0.01)
    text = " ".join(page.extract_text().split())
    assert "Wat Bospolder-Tussendijken heeft" in text
    assert "bewonersinitiatieven" in text and "nieuw sinds 1 januari 2026" in text
    assert "Talenten van bewoners" in text and "<5" in text
    assert "OpenStreetMap" in text and "CBS en Kadaster" in text
    for secret in PERSON_STRINGS:
        assert secret not in text


def test_no_text_of_a_resident_is_drawn_and_people_are_counted_per_buurt(data: ReportData) -> None:
    fig = poster_figure(data, lang="en")
    drawn = [t.get_text() for t in texts(fig)]
    joined = "\n".join(drawn)
    for secret in PERSON_STRINGS:
        assert secret not in joined
    assert "What Bospolder-Tussendijken has" in drawn
    assert "Tussendijken\n★ 6" in drawn and "Bospolder\n★ <5" in drawn
    # Headline figures: 10 assets on the map (people not among them), 3 initiatives, 2 meeting places.
    assert {"10", "3", "2"} <= set(drawn)


def test_buurt_labels_sit_inside_their_buurt(data: ReportData) -> None:
    fig = poster_figure(data)
    buurten = data.buurten.to_crs(RD_NEW).set_index("name").geometry
    labels = [t for t in texts(fig) if t.get_text().split("\n")[0] in buurten.index and "★" in t.get_text()]
    assert len(labels) == 2
    for label in labels:
        x, y = label.get_position()
        assert buurten[label.get_text().split("\n")[0]].contains(shapely.Point(x, y))


def test_the_static_map_drops_people_even_when_given_them(mapped: Store, data: ReportData) -> None:
    raw = mapped.assets_frame(wijk=data.slug, include_private=True)
    assert int((raw["category"] == Category.PERSON.value).sum()) == 7
    fig = Figure(figsize=(6, 5))
    ax = fig.add_axes((0, 0, 1, 1))
    static_map.draw_wijk_map(ax, boundary=data.boundary, streets=data.streets, assets=raw, lang="nl")
    drawn = [t.get_text() for t in texts(fig)]
    star = CATEGORY_STYLE[Category.PERSON.value].glyph
    assert star not in drawn  # no person marker: without buurten and counts, people are not on the map at all
    glyphs = [t for t in drawn if t in {s.glyph for s in CATEGORY_STYLE.values()}]
    assert len(glyphs) == 10  # one glyph per public asset
    assert not any(secret in t for t in drawn for secret in PERSON_STRINGS)
    assert "250 m" in drawn  # scale bar
    assert "N" in drawn  # north arrow
    assert any("OpenStreetMap" in t for t in drawn)  # attribution


def test_every_category_glyph_is_in_dejavu_and_a_missing_one_falls_back_to_a_letter() -> None:
    for code, style in CATEGORY_STYLE.items():
        assert static_map.glyph(code) == style.glyph
    no_dingbats = static_map.FONT_DIR / "cmr10.ttf"  # Computer Modern: letters only
    assert static_map.glyph("initiative", font_path=no_dingbats) == "B"
    assert static_map.glyph("person", font_path=no_dingbats) == "T"


def test_an_empty_wijk_still_makes_a_poster(botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]) -> None:
    empty = load_report_data(botu_store, botu, catalogue, made_on=date(2026, 11, 22))
    drawn = [t.get_text() for t in texts(poster_figure(empty))]
    assert "Wat Bospolder-Tussendijken heeft" in drawn and "0" in drawn


def test_an_unknown_poster_format_is_refused(data: ReportData) -> None:
    with pytest.raises(ValueError, match="Unknown poster format 'jpg'"):
        wijk_poster(data, fmt="jpg")


def test_streets_without_a_highway_column_are_drawn(data: ReportData) -> None:
    fig = Figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    plain = gpd.GeoDataFrame(geometry=data.streets.geometry.values, crs=data.streets.crs)
    static_map.draw_wijk_map(ax, boundary=data.boundary, streets=plain, attribution=False)
    assert len(ax.collections) >= 2  # streets and the boundary


def test_the_join_line_carries_the_cooperatives_contact_as_typed_and_fits(
    botu_store: Store, botu: Wijk, catalogue: dict[str, Wijk]
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from abcd.permissions import Role, User
    from abcd.portrait.contact import set_join_contact

    def join_line(data: ReportData) -> tuple[Text, float, float]:
        """The join line, its width and its top as fractions of the paper."""
        fig = poster_figure(data, lang="en")
        [line] = [t for t in texts(fig) if t.get_text().startswith("Join in:")]
        box = line.get_window_extent(FigureCanvasAgg(fig).get_renderer())
        return line, box.width / fig.bbox.width, box.y1 / fig.bbox.height

    builder = User("coop", Role.BUILDER)
    plain = load_report_data(botu_store, botu, catalogue, made_on=date(2026, 11, 22))
    assert plain.join_contact == ""
    assert join_line(plain)[0].get_text() == "Join in: put on the map what your neighbourhood has."

    set_join_contact(botu_store, botu.slug, "buurtcoop@botu.nl", user=builder)
    short = load_report_data(botu_store, botu, catalogue, made_on=date(2026, 11, 22))
    line, width, top = join_line(short)
    assert line.get_text() == "Join in: put on the map what your neighbourhood has. Contact: buurtcoop@botu.nl"
    assert line.get_fontsize() >= 14 and width <= 0.88

    contact = "buurtcoop@botu.nl · 010-123 45 67 · https://www.botu.nl/doe-mee?wijk=botu&x=$5 en $6 ~ meer"
    set_join_contact(botu_store, botu.slug, contact, user=builder)
    data = load_report_data(botu_store, botu, catalogue, made_on=date(2026, 11, 22))
    assert data.join_contact == contact
    line, width, top = join_line(data)
    # Too long for one line: the contact goes on its own, and both fit between the margins and under the legend.
    assert line.get_text() == f"Join in: put on the map what your neighbourhood has.\nContact: {contact}"
    assert width <= 0.88 and top < 0.08 and line.get_fontsize() >= 9
    page = PdfReader(io.BytesIO(wijk_poster(data, fmt="pdf", lang="nl"))).pages[0]
    printed = " ".join(page.extract_text().split())
    assert "Contact: buurtcoop@botu.nl" in printed and "$5 en $6" in printed  # dollars stay dollars
