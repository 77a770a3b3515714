// abcd.maps.pins: every asset of a map as one layer. Defined once per map document (the base map's
// script); each asset layer then calls window.abcdPins(text, data), and each category's entry in the
// layer control is window.abcdPinToggle(layer key, category index).
//
// Where few pins are in view they are DOM markers, as Leaflet draws them: focusable, named for screen
// readers, each with its tooltip and popup. Where many are, they are drawn on one canvas from
// pre-rendered sprites (no object per asset), and a click or hover finds the pin under the pointer
// itself. Either way a click reaches streamlit-folium as a click on this layer whose feature carries
// {pin: index, pins: key}, which abcd.maps.clicks turns back into the asset's id.
//
// Every text that reaches HTML (names, descriptions, labels) was escaped in Python; this script only
// joins those pieces.
(function () {
    if (window.abcdPins) { return; }
    var DOM_LIMIT = __DOM_LIMIT__;      // at most this many pins in view: DOM markers
    var BIG_LIMIT = __BIG_LIMIT__;      // at most this many in view: full-size pins on the canvas, else dots
    var SIZE = __SIZE__;                // px, a full pin (large enough to tap)
    var DOT = __DOT__;                  // px, a pin where thousands are in view
    var PAD = 0.25;                     // the canvas reaches this share of the view beyond each edge
    var SLOP = 4;                       // px around a pin that still count as on it (fingers)
    var OUTLINE = __OUTLINE__;          // the dark ring around every pin (abcd.styles.PIN_OUTLINE)
    var FONT = "bold 14px 'DejaVu Sans','Segoe UI Symbol','Noto Sans Symbols 2','Noto Sans Symbols'," +
        "'Apple Symbols','Arial Unicode MS',sans-serif";
    var EXAMPLE = 1, STALE = 2, LED = 4, NOT_LED = 8;
    var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    var layers = {};                    // the newest pin layer of each key (for the category toggles)

    function greyOf(hex) {
        var v = parseInt(hex.slice(1), 16);
        var g = Math.round(0.299 * (v >> 16) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255));
        return "rgb(" + g + "," + g + "," + g + ")";
    }

    var Pins = L.FeatureGroup.extend({
        initialize: function (text, data) {
            L.FeatureGroup.prototype.initialize.call(this, []);
            var n = data.c.length, scale = data.q, x = data.o[0], y0 = data.o[1], i;
            this._text = text;
            this._n = n;
            this._lng = new Float64Array(n);
            this._lat = new Float64Array(n);
            for (i = 0; i < n; i++) {
                x += data.x[i];
                this._lng[i] = x / scale;
                this._lat[i] = (y0 + data.y[i]) / scale;
            }
            this._cat = new Uint8Array(n);
            this._flag = new Uint8Array(n);
            for (i = 0; i < n; i++) {
                this._cat[i] = data.c.charCodeAt(i) - 48;
                this._flag[i] = parseInt(data.f.charAt(i), 16);
            }
            this._data = data;
            this._hidden = {};
            this._selected = -1;
            this._markers = {};
            this._sprites = {};
            this._projected = null;
            this._mode = "";
            this._dpr = Math.min(window.devicePixelRatio || 1, 2);
            layers[text.key] = this;
            this.on("click", this._onLayerClick, this);
        },

        // ----------------------------------------------------------------- what a pin says
        latLng: function (i) { return L.latLng(this._lat[i], this._lng[i]); },

        // A name, its common words written out again (abcd.maps.pins.shared_words); its category's until
        // the names have come (a first look, abcd.maps.pins.first_look).
        pinName: function (i) {
            if (!this._data.n) { return this._text.cats[this._cat[i]][1]; }
            var words = this._data.w, name = this._data.n[i];
            if (!words) { return name; }
            return name.replace(/\^([\^~])|\^([0-9A-Za-z])|~([0-9A-Za-z])([0-9A-Za-z])/g, function (all, lit, one, hi, lo) {
                if (lit) { return lit; }
                if (one) { return words[DIGITS.indexOf(one)]; }
                return words[DIGITS.length + DIGITS.indexOf(hi) * DIGITS.length + DIGITS.indexOf(lo)];
            });
        },

        // What a click on pin i hands to streamlit-folium: its position in this layer, and the layer's key.
        pinFeature: function (i) {
            return {type: "Feature", properties: {pin: i, pins: this._text.key},
                    geometry: {type: "Point", coordinates: [this._lng[i], this._lat[i]]}};
        },

        tipHtml: function (i) {
            var t = this._text, name = this.pinName(i);
            return (this._flag[i] & EXAMPLE) ? name + ' <span class="abcd-tip-example">(' + t.example + ')</span>' : name;
        },

        popupHtml: function (i) {
            var t = this._text, d = this._data, f = this._flag[i], cat = t.cats[this._cat[i]];
            var h = '<div class="abcd-popup"><div class="abcd-popup-name">' + this.pinName(i) + '</div>';
            if (f & EXAMPLE) { h += '<div class="abcd-popup-example">' + t.example + '</div>'; }
            if (f & STALE) { h += '<div class="abcd-popup-stale">' + t.stale + '</div>'; }
            h += '<div><span class="abcd-popup-cat" style="background:' + cat[2] + ';color:' + cat[3] + '">' +
                cat[1] + '</span></div>';
            if (f & LED) { h += '<div>' + t.led + '</div>'; }
            if (f & NOT_LED) { h += '<div>' + t.notLed + '</div>'; }
            var role = d.m ? d.m.charCodeAt(i) - 48 : 0;
            if (role > 0) { h += '<div>' + t.role + ': ' + t.roles[role - 1] + '</div>'; }
            if (d.ph && d.ph[i]) { h += '<div class="abcd-popup-photo">' + d.ph[i] + '</div>'; }
            if (d.d && d.d[i]) { h += '<p class="abcd-popup-desc">' + d.d[i] + '</p>'; }
            var source = d.s ? d.s.charCodeAt(i) - 48 : 0;
            if (source > 0) { h += '<div class="abcd-popup-meta">' + t.source + ': ' + t.sources[source - 1] + '</div>'; }
            if (t.more) { h += '<div class="abcd-popup-more">' + t.more + '</div>'; }
            return h + '</div>';
        },

        // ----------------------------------------------------------------- life on the map
        onAdd: function (map) {
            L.FeatureGroup.prototype.onAdd.call(this, map);
            var pane = map.getPane("abcdPins") || map.createPane("abcdPins");
            pane.style.zIndex = 590;               // above lines (400), below DOM markers (600) and popups
            pane.style.pointerEvents = "none";     // the map's own events still reach streets and lines below
            this._canvas = L.DomUtil.create("canvas", "abcd-pins leaflet-zoom-animated", pane);
            this._canvas.setAttribute("role", "img");
            this._ctx = this._canvas.getContext("2d");
            if (!this._text.passive) {
                var container = map.getContainer();
                this._capture = L.Util.bind(this._onPointer, this);
                container.addEventListener("click", this._capture, true);
                container.addEventListener("mousemove", this._capture, true);
                container.addEventListener("mouseleave", this._capture, true);
            }
            this._reset();
        },

        onRemove: function (map) {
            if (this._capture) {
                var container = map.getContainer();
                container.removeEventListener("click", this._capture, true);
                container.removeEventListener("mousemove", this._capture, true);
                container.removeEventListener("mouseleave", this._capture, true);
                this._capture = null;
            }
            if (this._tooltip) { map.closeTooltip(this._tooltip); }
            L.DomUtil.remove(this._canvas);
            this._canvas = null;
            for (var i in this._markers) { this.removeLayer(this._markers[i]); }
            this._markers = {};
            this._mode = "";
            L.FeatureGroup.prototype.onRemove.call(this, map);
        },

        getEvents: function () {
            var events = {viewreset: this._reset, zoom: this._onZoom, moveend: this._reset, resize: this._reset};
            if (this._map && this._map._zoomAnimated) { events.zoomanim = this._onAnimZoom; }
            return events;
        },

        setCategoryShown: function (cat, shown) {
            if (!this._hidden[cat] === shown) { return; }
            this._hidden[cat] = !shown;
            if (this._map && !this._redrawing) {
                this._redrawing = true;
                L.Util.requestAnimFrame(function () { this._redrawing = false; this._reset(); }, this);
            }
        },

        _onAnimZoom: function (ev) { this._updateTransform(ev.center, ev.zoom); },
        _onZoom: function () { this._updateTransform(this._map.getCenter(), this._map.getZoom()); },

        // As Leaflet's own renderers: scale the last drawing with the zoom animation.
        _updateTransform: function (center, zoom) {
            if (!this._canvas || !this._center) { return; }
            var map = this._map, scale = map.getZoomScale(zoom, this._zoom);
            var viewHalf = map.getSize().multiplyBy(0.5 + PAD);
            var offset = viewHalf.multiplyBy(-scale).add(map.project(this._center, zoom))
                .subtract(map._getNewPixelOrigin(center, zoom));
            if (L.Browser.any3d) { L.DomUtil.setTransform(this._canvas, offset, scale); }
            else { L.DomUtil.setPosition(this._canvas, offset); }
        },

        // Web Mercator pixels of every pin at this zoom, computed once per zoom level.
        _project: function (zoom) {
            if (this._projected && this._projected.zoom === zoom) { return this._projected; }
            var n = this._n, px = new Float64Array(n), py = new Float64Array(n);
            var world = 256 * Math.pow(2, zoom), rad = Math.PI / 180, i, s;
            for (i = 0; i < n; i++) {
                s = Math.sin(this._lat[i] * rad);
                px[i] = world * (this._lng[i] / 360 + 0.5);
                py[i] = world * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
            }
            this._projected = {zoom: zoom, x: px, y: py};
            return this._projected;
        },

        _reset: function () {
            var map = this._map;
            if (!map || !this._canvas) { return; }
            var size = map.getSize();
            var min = map.containerPointToLayerPoint(size.multiplyBy(-PAD)).round();
            var full = size.multiplyBy(1 + 2 * PAD).round();
            this._center = map.getCenter();
            this._zoom = map.getZoom();
            this._min = min;
            L.DomUtil.setPosition(this._canvas, min);
            var p = this._project(this._zoom), origin = map.getPixelOrigin();
            var ox = origin.x + min.x, oy = origin.y + min.y;    // canvas pixel = projected - (ox, oy)
            var vx = map.containerPointToLayerPoint([0, 0]);
            var left = vx.x + origin.x, top = vx.y + origin.y, right = left + size.x, bottom = top + size.y;
            var inView = 0, padded = [], i;
            for (i = 0; i < this._n; i++) {
                if (this._hidden[this._cat[i]]) { continue; }
                var x = p.x[i], y = p.y[i];
                if (x < ox - SIZE || y < oy - SIZE || x > ox + full.x + SIZE || y > oy + full.y + SIZE) { continue; }
                padded.push(i);
                if (x >= left && x <= right && y >= top && y <= bottom) { inView++; }
            }
            this._shown = padded;
            this._ox = ox;
            this._oy = oy;
            var mode = inView <= DOM_LIMIT && padded.length <= 3 * DOM_LIMIT ? "dom" : "canvas";
            // The same view again (a resize that kept the size, a second moveend): nothing to draw.
            var signature = [mode, full.x, full.y, this._zoom, ox, oy, this._selected,
                             JSON.stringify(this._hidden)].join();
            if (signature === this._drawn) { return; }
            this._big = inView <= BIG_LIMIT;
            if (mode === "dom") {
                this._clearCanvas();
                this._syncMarkers(padded);
            } else {
                this._syncMarkers([]);
                this._draw(full);
            }
            this._mode = mode;
            this._drawn = signature;
        },

        // ----------------------------------------------------------------- DOM markers
        _syncMarkers: function (wanted) {
            var keep = {}, i, k;
            for (k = 0; k < wanted.length; k++) {
                i = wanted[k];
                keep[i] = true;
                if (!this._markers[i]) { this._markers[i] = this._marker(i); this.addLayer(this._markers[i]); }
            }
            for (i in this._markers) {
                if (!keep[i]) { this.removeLayer(this._markers[i]); delete this._markers[i]; }
            }
        },

        _marker: function (i) {
            var t = this._text, cat = t.cats[this._cat[i]], f = this._flag[i], half = SIZE / 2;
            var passive = !!t.passive;
            var marker = L.marker(this.latLng(i), {
                icon: L.divIcon({
                    className: "abcd-pin" + ((f & EXAMPLE) ? " abcd-pin-example" : "") +
                        ((f & STALE) ? " abcd-pin-stale" : "") + (i === this._selected ? " abcd-pin-selected" : ""),
                    html: '<span class="abcd-glyph" aria-hidden="true" style="background:' + cat[2] + ';color:' +
                        cat[3] + '">' + cat[4] + '</span><span class="abcd-sr">' + this.pinName(i) + '</span>',
                    iconSize: [SIZE, SIZE], iconAnchor: [half, half], popupAnchor: [0, -half], tooltipAnchor: [0, -half]
                }),
                interactive: !passive, keyboard: !passive, riseOnHover: !passive
            });
            marker.feature = this.pinFeature(i);
            marker._abcdPin = i;
            if (!passive) {
                var self = this;
                marker.bindTooltip(this.tipHtml(i), {direction: "top"});
                marker.bindPopup(function () { return self.popupHtml(i); }, {maxWidth: 280});
            }
            return marker;
        },

        // A DOM marker's click reaches this group; remember it as the selected pin.
        _onLayerClick: function (e) {
            var i = e.layer && e.layer._abcdPin;
            if (typeof i === "number") { this._select(i); }
        },

        _select: function (i) {
            var before = this._selected;
            this._selected = i;
            if (this._mode === "canvas") { this._reset(); return; }
            var old = this._markers[before], now = this._markers[i];
            if (old && old._icon) { L.DomUtil.removeClass(old._icon, "abcd-pin-selected"); }
            if (now && now._icon) { L.DomUtil.addClass(now._icon, "abcd-pin-selected"); }
        },

        // ----------------------------------------------------------------- the canvas
        _clearCanvas: function () {
            this._canvas.width = this._canvas.height = 0;     // no pixels kept while the DOM markers show
            this._canvas.removeAttribute("data-abcd-drawn");
            this._canvas.setAttribute("aria-hidden", "true");
            this._canvas.removeAttribute("aria-label");
        },

        _size: function (full) {
            var c = this._canvas, dpr = this._dpr;
            if (c.width !== Math.round(full.x * dpr) || c.height !== Math.round(full.y * dpr)) {
                c.width = Math.round(full.x * dpr);
                c.height = Math.round(full.y * dpr);
                c.style.width = full.x + "px";
                c.style.height = full.y + "px";
            }
            this._ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        },

        _sprite: function (cat, flag, big, selected) {
            var key = cat + "|" + (flag & 3) + "|" + big + "|" + selected;
            if (this._sprites[key]) { return this._sprites[key]; }
            var style = this._text.cats[cat], size = big ? SIZE : DOT, dpr = this._dpr;
            // Room for the outer ring, and for a full pin's shadow and selection ring: a dot's box is half the
            // pixels, and thousands of dots are drawn in a copy each.
            var pad = big || selected ? 5 : 2;
            var box = size + 2 * pad, side = 2 * Math.ceil(box * dpr / 2);    // even: the centre on a pixel corner
            // An ImageBitmap where the browser can make one: drawn without a copy of its canvas each time.
            var offscreen = typeof OffscreenCanvas !== "undefined";
            var c = offscreen ? new OffscreenCanvas(side, side) : document.createElement("canvas");
            c.width = c.height = side;
            var g = c.getContext("2d"), mid = box / 2, r = size / 2;
            g.scale(dpr, dpr);
            if (flag & STALE) { g.globalAlpha = 0.55; }
            var fill = (flag & STALE) ? greyOf(style[2]) : style[2];
            g.beginPath();
            g.arc(mid, mid, r + (big ? 1.5 : 1), 0, 2 * Math.PI);    // the dark outer ring
            g.fillStyle = OUTLINE;
            if (big) { g.shadowColor = "rgba(0,0,0,.45)"; g.shadowBlur = 3; g.shadowOffsetY = 1; }
            g.fill();
            g.shadowColor = "transparent";
            g.beginPath();
            g.arc(mid, mid, r, 0, 2 * Math.PI);
            g.fillStyle = "#fff";
            g.fill();
            g.beginPath();
            g.arc(mid, mid, r - (big ? 2 : 1.5), 0, 2 * Math.PI);
            g.fillStyle = fill;
            g.fill();
            if (flag & EXAMPLE) {                                      // examples: a dashed dark edge
                g.beginPath();
                g.arc(mid, mid, r - (big ? 1 : 0.75), 0, 2 * Math.PI);
                g.setLineDash(big ? [4, 3] : [2, 2]);
                g.lineWidth = big ? 2 : 1.5;
                g.strokeStyle = "#111";
                g.stroke();
                g.setLineDash([]);
            }
            if (big) {
                g.fillStyle = (flag & STALE) ? "#111" : style[3];
                g.font = FONT;
                g.textAlign = "center";
                g.textBaseline = "middle";
                g.fillText(style[4], mid, mid + 1);
            }
            if (selected) {
                g.globalAlpha = 1;
                g.beginPath();
                g.arc(mid, mid, r + 3, 0, 2 * Math.PI);
                g.lineWidth = 3;
                g.strokeStyle = "#1d4ed8";
                g.stroke();
            }
            var image = offscreen && c.transferToImageBitmap ? c.transferToImageBitmap() : c;
            this._sprites[key] = {canvas: image, half: side / 2};
            return this._sprites[key];
        },

        _draw: function (full) {
            this._size(full);
            var ctx = this._ctx, p = this._projected, shown = this._shown, big = this._big, dpr = this._dpr;
            ctx.clearRect(0, 0, full.x, full.y);
            // Sprites go on whole device pixels, unscaled: a plain copy, the fastest thing a canvas does.
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            var drawn = 0, k, i, sprite, ox = this._ox, oy = this._oy, selected = this._selected, kind;
            var table = [];    // this drawing's sprite per category and example/stale pair
            for (k = 0; k < shown.length; k++) {
                i = shown[k];
                if (i === selected) { continue; }
                kind = this._cat[i] * 4 + (this._flag[i] & 3);
                sprite = table[kind] || (table[kind] = this._sprite(this._cat[i], this._flag[i], big, false));
                ctx.drawImage(sprite.canvas, Math.round((p.x[i] - ox) * dpr) - sprite.half,
                              Math.round((p.y[i] - oy) * dpr) - sprite.half);
                drawn++;
            }
            if (selected >= 0 && selected < this._n && !this._hidden[this._cat[selected]]) {
                sprite = this._sprite(this._cat[selected], this._flag[selected], true, true);
                ctx.drawImage(sprite.canvas, Math.round((p.x[selected] - ox) * dpr) - sprite.half,
                              Math.round((p.y[selected] - oy) * dpr) - sprite.half);
                drawn++;
            }
            ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
            this._canvas.setAttribute("data-abcd-drawn", String(drawn));
            this._canvas.removeAttribute("aria-hidden");
            this._canvas.setAttribute("aria-label", this._text.summary);
        },

        // The pin under a container point, the top one first; -1 for none.
        _hit: function (point) {
            if (this._mode !== "canvas" || !this._projected) { return -1; }
            var p = this._projected, shown = this._shown, map = this._map;
            var origin = map.getPixelOrigin(), at = map.containerPointToLayerPoint(point);
            var x = at.x + origin.x, y = at.y + origin.y;
            var r = (this._big ? SIZE : DOT) / 2 + SLOP, best = -1, bestD = r * r;
            if (this._selected >= 0 && !this._hidden[this._cat[this._selected]]) { shown = shown.concat([this._selected]); }
            for (var k = shown.length - 1; k >= 0; k--) {
                var i = shown[k], dx = p.x[i] - x, dy = p.y[i] - y, d = dx * dx + dy * dy;
                if (d < bestD) { best = i; bestD = d; }
            }
            return best;
        },

        _onPointer: function (e) {
            var map = this._map;
            if (!map || this._mode !== "canvas") { return; }
            var target = e.target;
            if (target && target.closest && target.closest(".leaflet-control, .leaflet-popup, .leaflet-marker-icon")) {
                return;
            }
            if (e.type === "mouseleave" && target !== map.getContainer()) { return; }
            var i = e.type === "mouseleave" ? -1 : this._hit(map.mouseEventToContainerPoint(e));
            if (e.type !== "click") {
                map.getContainer().style.cursor = i >= 0 ? "pointer" : "";
                if (i >= 0) {
                    this._tooltip = this._tooltip || L.tooltip({direction: "top", offset: [0, -(this._big ? SIZE : DOT) / 2]});
                    this._tooltip.options.offset = [0, -(this._big ? SIZE : DOT) / 2];
                    map.openTooltip(this._tooltip.setLatLng(this.latLng(i)).setContent(this.tipHtml(i)));
                } else if (this._tooltip) {
                    map.closeTooltip(this._tooltip);
                }
                return;
            }
            if (i < 0 || (map.dragging && map.dragging.moved())) { return; }
            // A pin, not the map: nothing underneath gets this click.
            L.DomEvent.stop(e);
            if (this._tooltip) { map.closeTooltip(this._tooltip); }
            var latlng = this.latLng(i), feature = this.pinFeature(i);
            L.popup({maxWidth: 280, offset: [0, -(this._big ? SIZE : DOT) / 2]})
                .setLatLng(latlng).setContent(this.popupHtml(i)).openOn(map);
            var proxy = {_abcdPin: i, feature: feature, getLatLng: function () { return latlng; },
                         toGeoJSON: function () { return feature; }};
            this.fire("click", {latlng: latlng, layer: proxy, originalEvent: e,
                                containerPoint: map.latLngToContainerPoint(latlng)}, true);
        }
    });

    // A category's entry in the layer control: shows and hides that category in the newest pin layer.
    var Toggle = L.Layer.extend({
        initialize: function (key, cat) { this._pins = layers[key]; this._cat = cat; },
        onAdd: function () { if (this._pins) { this._pins.setCategoryShown(this._cat, true); } },
        onRemove: function () { if (this._pins) { this._pins.setCategoryShown(this._cat, false); } }
    });

    window.abcdPins = function (text, data) { return new Pins(text, data); };
    window.abcdPinToggle = function (key, cat) { return new Toggle(key, cat); };
})();
