// abcd.maps.basemaps: the background map drawn from abcd's own data, and the switch to it when tiles
// cannot load. Defined once per map document.
(function () {
    if (window.abcdOwnBasemap) { return; }
    var LAND = "#efece5", BUURT = "#fbfaf6", BUURT_EDGE = "#a9a293", CASING = "#c9c2b4", STREET = "#ffffff";

    // The streets another layer of this map holds, shown or not (abcd.maps.base), as GeoJSON.
    function streetsOf() {
        var layer = window.abcdLayers && window.abcdLayers.streets;
        return layer && layer.toGeoJSON ? layer.toGeoJSON() : null;
    }

    var Own = L.LayerGroup.extend({
        initialize: function (data, options) {
            L.LayerGroup.prototype.initialize.call(this, [], options);
            this._data = data;
        },

        onAdd: function (map) {
            var container = map.getContainer();
            this._background = container.style.background;
            container.style.background = LAND;
            if (!this._built) { this._build(map); }
            L.LayerGroup.prototype.onAdd.call(this, map);
        },

        onRemove: function (map) {
            map.getContainer().style.background = this._background || "";
            L.LayerGroup.prototype.onRemove.call(this, map);
        },

        _build: function (map) {
            this._built = true;
            if (!map.getPane("abcdBase")) {
                var base = map.createPane("abcdBase");
                base.style.zIndex = 210;
                base.style.pointerEvents = "none";
            }
            if (!map.getPane("abcdBaseLabels")) {
                var labels = map.createPane("abcdBaseLabels");
                labels.style.zIndex = 390;
                labels.style.pointerEvents = "none";
            }
            var renderer = L.canvas({pane: "abcdBase", padding: 0.3});
            var plain = {pane: "abcdBase", renderer: renderer, interactive: false};
            var d = this._data;
            if (d.areas) {
                this.addLayer(L.geoJson(d.areas, L.extend({}, plain, {
                    style: {color: BUURT_EDGE, weight: 1.2, fillColor: BUURT, fillOpacity: 1}
                })));
            }
            var streets = streetsOf();
            if (streets) {
                this.addLayer(L.geoJson(streets, L.extend({}, plain, {
                    style: {color: CASING, weight: 5.5, lineCap: "round", lineJoin: "round"}, smoothFactor: 1.5
                })));
                this.addLayer(L.geoJson(streets, L.extend({}, plain, {
                    style: {color: STREET, weight: 3.5, lineCap: "round", lineJoin: "round"}, smoothFactor: 1.5
                })));
            }
            var names = d.labels || [];
            for (var i = 0; i < names.length; i++) {
                this.addLayer(L.marker([names[i][1], names[i][2]], {
                    pane: "abcdBaseLabels", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "abcd-base-label", html: "<span>" + names[i][0] + "</span>",
                                     iconSize: null})
                }));
            }
        }
    });

    window.abcdOwnBasemap = function (data, options) { return new Own(data, options); };

    // A heading over the background maps in the layer control ("Achtergrondkaart"), in the map's language.
    window.abcdBasemapHeading = function (text) {
        var proto = L.Control.Layers.prototype, init = proto._initLayout;
        proto._abcdHeading = text;
        if (proto._abcdHeadingSet) { return; }
        proto._abcdHeadingSet = true;
        proto._initLayout = function () {
            init.call(this);
            var heading = L.DomUtil.create("div", "abcd-layers-heading");
            heading.textContent = this._abcdHeading;
            this._section.insertBefore(heading, this._baseLayersList);
        };
    };

    // Without internet every tile fails: show the own map instead, once, so the map is never a grey void.
    window.abcdBasemapFallback = function (map, tiles, own) {
        var loaded = 0, failed = 0, switched = false;
        tiles.forEach(function (layer) {
            layer.on("tileload", function () { loaded++; });
            layer.on("tileerror", function () {
                failed++;
                if (!switched && loaded === 0 && failed >= 3 && map.hasLayer(layer)) {
                    switched = true;
                    // After the next frame: the pins are drawn first, the background follows.
                    L.Util.requestAnimFrame(function () {
                        setTimeout(function () {
                            if (map.hasLayer(layer)) { map.removeLayer(layer); map.addLayer(own); }
                        }, 0);
                    });
                }
            });
        });
    };
})();
