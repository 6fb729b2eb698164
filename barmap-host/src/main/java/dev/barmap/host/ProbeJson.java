package dev.barmap.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.barmap.model.BadInputException;
import dev.barmap.model.vfio.ProbeReport;
import dev.barmap.model.vfio.RegionCap;
import dev.barmap.model.vfio.RegionInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalLong;

/**
 * A capture's {@code expected/vfio.json}: what vfio-pci answered (or what the model predicts), as
 * {@code {"kernelRelease", "pageSize", "devices": {BDF: {"regions": [...]}}, "subPageReserved": [[s, e], ...]}}.
 * Region: {@code index, name, size, offset, flags, caps, tries} or {@code index, name, error}. Try:
 * {@code op, what, offset, [length], ok, [errno], [value]}.
 */
public final class ProbeJson {
    /**
     * Every JSON barmap writes. Addresses and sizes are unsigned 64-bit (the kernel's resource_size_t / u64); Java
     * longs are signed, so a long put into a tree by this mapper's node factory is written as its unsigned decimal
     * value (0 to 18446744073709551615), never as a negative number (issue 14; README "JSON numbers").
     */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).setNodeFactory(new UnsignedNodes());

    /** Longs as unsigned 64-bit values: a negative long v is the number v + 2^64. */
    static final class UnsignedNodes extends com.fasterxml.jackson.databind.node.JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public com.fasterxml.jackson.databind.node.ValueNode numberNode(Long v) {
            return v == null ? nullNode() : numberNode(v.longValue());
        }

        @Override
        public com.fasterxml.jackson.databind.node.NumericNode numberNode(long v) {
            return v >= 0 ? super.numberNode(v) : com.fasterxml.jackson.databind.node.BigIntegerNode.valueOf(new java.math.BigInteger(Long.toUnsignedString(v)));
        }
    }

    private ProbeJson() {}

    public static ProbeReport read(Path file) {
        try {
            return fromJson(file.toString(), MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new BadInputException(file.toString(), 0, "not valid JSON: " + e.getMessage());
        }
    }

    public static ProbeReport fromJson(String file, JsonNode root) {
        try {
            var devices = new LinkedHashMap<String, ProbeReport.Device>();
            var it = root.required("devices").properties().iterator();
            while (it.hasNext()) {
                var e = it.next();
                var regions = new ArrayList<ProbeReport.Region>();
                for (JsonNode r : e.getValue().required("regions")) regions.add(region(r));
                devices.put(e.getKey(), new ProbeReport.Device(e.getKey(), regions));
            }
            var reserved = new ArrayList<ProbeReport.Range>();
            for (JsonNode r : root.path("subPageReserved")) reserved.add(new ProbeReport.Range(r.get(0).asLong(), r.get(1).asLong()));
            return new ProbeReport(root.required("kernelRelease").asText(), root.required("pageSize").asLong(), devices, reserved);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new BadInputException(file, 0, "not a vfio.json: " + e.getMessage());
        }
    }

    private static ProbeReport.Region region(JsonNode r) {
        int index = r.required("index").asInt();
        String name = r.required("name").asText();
        if (r.has("error")) return ProbeReport.Region.failed(index, name, r.get("error").asInt());
        int flags = 0;
        for (JsonNode f : r.required("flags")) {
            flags |= switch (f.asText()) {
                case "READ" -> RegionInfo.FLAG_READ;
                case "WRITE" -> RegionInfo.FLAG_WRITE;
                case "MMAP" -> RegionInfo.FLAG_MMAP;
                case "CAPS" -> RegionInfo.FLAG_CAPS;
                default -> throw new IllegalArgumentException("unknown region flag " + f);
            };
        }
        var caps = new ArrayList<RegionCap>();
        for (JsonNode c : r.path("caps")) {
            caps.add(switch (c.asText()) {
                case "MSIX_MAPPABLE" -> new RegionCap.MsixMappable();
                case "SPARSE_MMAP" -> new RegionCap.SparseMmap(List.of());
                case "TYPE" -> new RegionCap.Type(0, 0);
                default -> new RegionCap.Unknown(-1, 0);
            });
        }
        var tries = new ArrayList<ProbeReport.Try>();
        for (JsonNode t : r.path("tries")) {
            tries.add(new ProbeReport.Try(t.required("op").asText(), t.required("what").asText(), t.required("offset").asLong(),
                    t.has("length") ? OptionalLong.of(t.get("length").asLong()) : OptionalLong.empty(),
                    t.required("ok").asBoolean(), t.path("errno").asInt(0),
                    t.has("value") ? OptionalLong.of(t.get("value").asLong()) : OptionalLong.empty()));
        }
        RegionInfo info = new RegionInfo(index, r.required("size").asLong(), r.required("offset").asLong(), flags, caps);
        return new ProbeReport.Region(index, name, info, 0, tries);
    }

    public static ObjectNode toJson(ProbeReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("kernelRelease", report.kernelRelease());
        root.put("pageSize", report.pageSize());
        ObjectNode devs = root.putObject("devices");
        for (var d : report.devices().values()) {
            ArrayNode regions = devs.putObject(d.bdf()).putArray("regions");
            for (var r : d.regions()) {
                ObjectNode o = regionHead(regions.addObject(), r.index(), r.name(), r.info(), r.error());
                if (r.failed()) continue;
                ArrayNode tries = o.putArray("tries");
                for (var t : r.tries()) {
                    ObjectNode to = tries.addObject();
                    to.put("op", t.op());
                    to.put("what", t.what());
                    to.put("offset", t.offset());
                    t.length().ifPresent(l -> to.put("length", l));
                    to.put("ok", t.ok());
                    if (!t.ok()) to.put("errno", t.errno());
                    t.value().ifPresent(v -> to.put("value", v & 0xffffffffL));
                }
            }
        }
        ArrayNode res = root.putArray("subPageReserved");
        for (var r : report.subPageReserved()) res.addArray().add(r.start()).add(r.end());
        return root;
    }

    /** Writes index, name and either size/offset/flags/caps or error: the contract shared with {@code barmap scan --format json}. */
    public static ObjectNode regionHead(ObjectNode o, int index, String name, RegionInfo info, int error) {
        o.put("index", index);
        o.put("name", name);
        if (info == null) {
            o.put("error", error);
            return o;
        }
        o.put("size", info.size());
        o.put("offset", info.offset());
        ArrayNode fl = o.putArray("flags");
        info.flagNames().forEach(fl::add);
        ArrayNode caps = o.putArray("caps");
        info.caps().forEach(c -> caps.add(c.name()));
        return o;
    }

    public static String write(ProbeReport report) {
        try {
            return MAPPER.writeValueAsString(toJson(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void write(ProbeReport report, Path file) throws IOException {
        Files.writeString(file, write(report));
    }
}
