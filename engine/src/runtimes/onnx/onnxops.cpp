// The map from ONNX operators onto ATen calls (onnxops.h). Every kernel is LibTorch's; this
// file turns each operator's attributes and inputs (ONNX operator spec, opsets 1–17) into the
// arguments of the ATen call that does the work.
#include "onnxops.h"
#include "io/confined.h"

#include "attnscope/onnxmodel.h"

#include <QFile>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace attnscope::onnxops {

namespace {
namespace op = ONNX_NAMESPACE;
using T = std::vector<torch::Tensor>;

const op::AttributeProto* attr(const Context& c, const char* name)
{
    for (const auto& a : c.node.attribute())
        if (a.name() == name) return &a;
    return nullptr;
}
int64_t intAttr(const Context& c, const char* name, int64_t fallback)
{
    const auto* a = attr(c, name);
    return a ? a->i() : fallback;
}
float floatAttr(const Context& c, const char* name, float fallback)
{
    const auto* a = attr(c, name);
    return a ? a->f() : fallback;
}
std::string stringAttr(const Context& c, const char* name, const std::string& fallback)
{
    const auto* a = attr(c, name);
    return a ? a->s() : fallback;
}
std::vector<int64_t> intsAttr(const Context& c, const char* name)
{
    const auto* a = attr(c, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}
/// An int64 tensor (a shape, axes, starts, …) as a vector.
std::vector<int64_t> ints(const torch::Tensor& t)
{
    if (!t.defined()) return {};
    const auto c = t.to(torch::kInt64).contiguous().flatten();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}
bool given(const T& in, size_t i) { return in.size() > i && in[i].defined(); }
/// Axes from an attribute (older opsets) or from input `index` (newer ones).
std::vector<int64_t> axesOf(const Context& c, const T& in, size_t index)
{
    if (given(in, index)) return ints(in[index]);
    return intsAttr(c, "axes");
}
int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

torch::ScalarType scalarType(int64_t onnxType)
{
    switch (onnxType) {
    case op::TensorProto::FLOAT:
    case op::TensorProto::FLOAT16:   // computed in float32 on CPU
    case op::TensorProto::BFLOAT16: return torch::kFloat32;
    case op::TensorProto::DOUBLE: return torch::kFloat64;
    case op::TensorProto::INT64: return torch::kInt64;
    case op::TensorProto::INT32: return torch::kInt32;
    case op::TensorProto::INT16: return torch::kInt16;
    case op::TensorProto::INT8: return torch::kInt8;
    case op::TensorProto::UINT8: return torch::kUInt8;
    case op::TensorProto::BOOL: return torch::kBool;
    default: throw std::runtime_error("element type " + std::to_string(onnxType) + " is not supported");
    }
}

/// Explicit pads [x1_begin, x2_begin, …, x1_end, x2_end, …] for `spatial` axes, from "pads" or
/// "auto_pad" (SAME_UPPER puts the extra pixel at the end, SAME_LOWER at the beginning).
std::vector<int64_t> padsOf(const Context& c, const torch::Tensor& x, const std::vector<int64_t>& kernel,
                            const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations)
{
    const size_t n = kernel.size();
    std::vector<int64_t> pads = intsAttr(c, "pads");
    if (pads.empty()) pads.assign(2 * n, 0);
    const std::string autoPad = stringAttr(c, "auto_pad", "NOTSET");
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        for (size_t i = 0; i < n; ++i) {
            const int64_t in = x.size(int64_t(2 + i));
            const int64_t out = (in + strides[i] - 1) / strides[i];
            const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
            const int64_t small = total / 2, large = total - small;
            pads[i] = autoPad == "SAME_UPPER" ? small : large;
            pads[i + n] = autoPad == "SAME_UPPER" ? large : small;
        }
    } else if (autoPad == "VALID") {
        std::fill(pads.begin(), pads.end(), 0);
    }
    if (pads.size() != 2 * n) throw std::runtime_error("pads has " + std::to_string(pads.size()) + " values for " +
                                                       std::to_string(n) + " spatial axes");
    return pads;
}
bool symmetric(const std::vector<int64_t>& pads)
{
    const size_t n = pads.size() / 2;
    for (size_t i = 0; i < n; ++i)
        if (pads[i] != pads[i + n]) return false;
    return true;
}
/// Pads the spatial axes explicitly (for asymmetric pads), ATen's order: last axis first.
torch::Tensor padSpatial(const torch::Tensor& x, const std::vector<int64_t>& pads, double value)
{
    const size_t n = pads.size() / 2;
    std::vector<int64_t> p;
    for (size_t i = n; i-- > 0;) {
        p.push_back(pads[i]);
        p.push_back(pads[i + n]);
    }
    return torch::constant_pad_nd(x, p, value);
}
std::vector<int64_t> orOnes(std::vector<int64_t> v, size_t n)
{
    if (v.empty()) v.assign(n, 1);
    return v;
}

torch::Tensor conv(const Context& c, const T& in)
{
    const auto& x = in[0];
    const auto& w = in[1];
    const size_t n = size_t(x.dim() - 2);
    std::vector<int64_t> kernel = intsAttr(c, "kernel_shape");
    if (kernel.empty()) kernel.assign(w.sizes().begin() + 2, w.sizes().end());
    const auto strides = orOnes(intsAttr(c, "strides"), n);
    const auto dilations = orOnes(intsAttr(c, "dilations"), n);
    const int64_t groups = intAttr(c, "group", 1);
    auto pads = padsOf(c, x, kernel, strides, dilations);
    torch::Tensor input = x;
    std::vector<int64_t> padding(pads.begin(), pads.begin() + int64_t(n));
    if (!symmetric(pads)) {
        input = padSpatial(x, pads, 0.0);
        std::fill(padding.begin(), padding.end(), 0);
    }
    const torch::Tensor bias = given(in, 2) ? in[2] : torch::Tensor();
    return torch::convolution(input, w, bias, strides, padding, dilations, false, std::vector<int64_t>(n, 0), groups);
}

torch::Tensor convTranspose(const Context& c, const T& in)
{
    const auto& x = in[0];
    const auto& w = in[1];
    const size_t n = size_t(x.dim() - 2);
    const auto strides = orOnes(intsAttr(c, "strides"), n);
    const auto dilations = orOnes(intsAttr(c, "dilations"), n);
    auto outPad = intsAttr(c, "output_padding");
    if (outPad.empty()) outPad.assign(n, 0);
    const int64_t groups = intAttr(c, "group", 1);
    auto pads = intsAttr(c, "pads");
    if (pads.empty()) pads.assign(2 * n, 0);
    if (!intsAttr(c, "output_shape").empty() || stringAttr(c, "auto_pad", "NOTSET") != "NOTSET")
        throw std::runtime_error("ConvTranspose with output_shape or auto_pad is not supported; give pads instead");
    const torch::Tensor bias = given(in, 2) ? in[2] : torch::Tensor();
    // Unpadded transposed convolution, then the pads cropped off each side (they may differ).
    auto y = torch::convolution(x, w, bias, strides, std::vector<int64_t>(n, 0), dilations, true, outPad, groups);
    for (size_t i = 0; i < n; ++i) {
        const int64_t axis = int64_t(2 + i);
        y = y.slice(axis, pads[i], y.size(axis) - pads[i + n]);
    }
    return y;
}

torch::Tensor pool(const Context& c, const T& in, bool max)
{
    const auto& x = in[0];
    const size_t n = size_t(x.dim() - 2);
    const auto kernel = intsAttr(c, "kernel_shape");
    if (kernel.size() != n) throw std::runtime_error("kernel_shape must have one value per spatial axis");
    const auto strides = orOnes(intsAttr(c, "strides"), n);
    const auto dilations = orOnes(intsAttr(c, "dilations"), n);
    const bool ceil = intAttr(c, "ceil_mode", 0) != 0;
    auto pads = padsOf(c, x, kernel, strides, dilations);
    std::vector<int64_t> padding(pads.begin(), pads.begin() + int64_t(n));
    torch::Tensor input = x;
    const bool asym = !symmetric(pads);
    if (asym) {
        input = padSpatial(x, pads, max ? -std::numeric_limits<double>::infinity() : 0.0);
        std::fill(padding.begin(), padding.end(), 0);
    }
    if (max) {
        if (n == 1) return torch::max_pool1d(input, kernel, strides, padding, dilations, ceil);
        if (n == 2) return torch::max_pool2d(input, kernel, strides, padding, dilations, ceil);
        return torch::max_pool3d(input, kernel, strides, padding, dilations, ceil);
    }
    const bool includePad = intAttr(c, "count_include_pad", 0) != 0;
    auto avg = [&](const torch::Tensor& t, bool include) {
        if (n == 1) return torch::avg_pool1d(t, kernel, strides, padding, ceil, include);
        if (n == 2) return torch::avg_pool2d(t, kernel, strides, padding, ceil, include);
        return torch::avg_pool3d(t, kernel, strides, padding, ceil, include);
    };
    if (!asym || includePad) return avg(input, includePad);
    // Asymmetric pads not counted: the mean over real pixels = pooled values / pooled ones.
    const auto ones = padSpatial(torch::ones_like(x), pads, 0.0);
    return avg(input, true) / avg(ones, true);
}

torch::Tensor slice(const Context& c, const T& in)
{
    torch::Tensor x = in[0];
    std::vector<int64_t> starts, ends, axes, steps;
    if (c.opset < 10) {
        starts = intsAttr(c, "starts");
        ends = intsAttr(c, "ends");
        axes = intsAttr(c, "axes");
    } else {
        starts = ints(in[1]);
        ends = ints(in[2]);
        if (given(in, 3)) axes = ints(in[3]);
        if (given(in, 4)) steps = ints(in[4]);
    }
    if (axes.empty())
        for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
        throw std::runtime_error("starts, ends, axes and steps must have the same length");
    for (size_t i = 0; i < starts.size(); ++i) {
        const int64_t axis = normAxis(axes[i], x.dim());
        const int64_t dim = x.size(axis), step = steps[i];
        if (step == 0) throw std::runtime_error("a Slice step is 0");
        int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
        int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
        if (step > 0) {
            s = std::clamp<int64_t>(s, 0, dim);
            e = std::clamp<int64_t>(e, 0, dim);
            x = x.slice(axis, s, std::max(s, e), step);
        } else {
            s = std::clamp<int64_t>(s, 0, dim - 1);
            e = std::clamp<int64_t>(e, -1, dim - 1);
            const auto idx = s > e ? torch::arange(s, e, step, torch::kInt64) : torch::empty({0}, torch::kInt64);
            x = x.index_select(axis, idx);
        }
    }
    return x;
}

torch::Tensor gather(const Context& c, const T& in)
{
    const auto& x = in[0];
    const int64_t axis = normAxis(intAttr(c, "axis", 0), x.dim());
    auto idx = in[1].to(torch::kInt64);
    idx = torch::where(idx < 0, idx + x.size(axis), idx);
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    shape.insert(shape.end(), idx.sizes().begin(), idx.sizes().end());
    shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
    return x.index_select(axis, idx.flatten()).reshape(shape);
}

/// ONNX Reshape: 0 copies the input's dimension (unless allowzero), −1 is inferred.
torch::Tensor reshape(const Context& c, const T& in)
{
    auto dims = c.opset < 5 ? intsAttr(c, "shape") : ints(in[1]);
    if (intAttr(c, "allowzero", 0) == 0)
        for (size_t i = 0; i < dims.size(); ++i)
            if (dims[i] == 0 && int64_t(i) < in[0].dim()) dims[i] = in[0].size(int64_t(i));
    return in[0].reshape(dims);
}

torch::Tensor expand(const T& in)
{
    // Bidirectional broadcasting: the result has the larger extent on every axis.
    const auto shape = ints(in[1]);
    const auto& x = in[0];
    const int64_t rank = std::max<int64_t>(x.dim(), int64_t(shape.size()));
    std::vector<int64_t> out(size_t(rank), 1);
    for (int64_t i = 0; i < rank; ++i) {
        const int64_t a = i - (rank - x.dim()) >= 0 ? x.size(i - (rank - x.dim())) : 1;
        const int64_t bIndex = i - (rank - int64_t(shape.size()));
        const int64_t b = bIndex >= 0 ? shape[size_t(bIndex)] : 1;
        if (a != b && a != 1 && b != 1)
            throw std::runtime_error("cannot expand axis of size " + std::to_string(a) + " to " + std::to_string(b));
        out[size_t(i)] = std::max(a, b);
    }
    return x.expand(out);
}

torch::Tensor split(const Context& c, const T& in, size_t outputs, std::vector<torch::Tensor>& parts)
{
    const auto& x = in[0];
    const int64_t axis = normAxis(intAttr(c, "axis", 0), x.dim());
    auto sizes = given(in, 1) ? ints(in[1]) : intsAttr(c, "split");
    if (sizes.empty()) {
        const int64_t n = std::max<int64_t>(1, int64_t(outputs)), chunk = (x.size(axis) + n - 1) / n;
        parts = x.split(chunk, axis);
    } else {
        parts = x.split_with_sizes(sizes, axis);
    }
    return x;
}

torch::Tensor reduce(const Context& c, const T& in, const std::string& kind)
{
    const auto& x = in[0];
    // ReduceSum takes axes as an input from opset 13 (the others from 18).
    auto axes = kind == "sum" && c.opset >= 13 ? axesOf(c, in, 1) : intsAttr(c, "axes");
    const bool keep = intAttr(c, "keepdims", 1) != 0;
    if (axes.empty()) {
        if (kind == "sum" && intAttr(c, "noop_with_empty_axes", 0) != 0) return x;
        for (int64_t d = 0; d < x.dim(); ++d) axes.push_back(d);
    }
    for (auto& a : axes) a = normAxis(a, x.dim());
    if (kind == "mean") return x.mean(axes, keep);
    if (kind == "sum") return x.sum(axes, keep);
    torch::Tensor r = x;
    std::sort(axes.rbegin(), axes.rend());
    for (int64_t a : axes) r = kind == "max" ? std::get<0>(r.max(a, keep)) : std::get<0>(r.min(a, keep));
    return r;
}

torch::Tensor resize(const Context& c, const T& in)
{
    const auto& x = in[0];
    if (x.dim() != 4) throw std::runtime_error("Resize is supported for 4-D [N, C, H, W] inputs");
    const std::string mode = stringAttr(c, "mode", "nearest");
    const std::string transform = stringAttr(c, "coordinate_transformation_mode", c.opset < 11 ? "asymmetric" : "half_pixel");
    std::vector<int64_t> size;
    // Opset 10: (X, scales); 11+: (X, roi, scales, sizes).
    const size_t scalesAt = c.opset < 11 ? 1 : 2;
    if (given(in, 3) && in[3].numel() > 0) {
        const auto s = ints(in[3]);
        size = {s[2], s[3]};
    } else if (given(in, scalesAt) && in[scalesAt].numel() > 0) {
        const auto sc = in[scalesAt].to(torch::kFloat64).contiguous();
        const double* s = sc.data_ptr<double>();
        if (s[0] != 1 || s[1] != 1) throw std::runtime_error("Resize of the batch or channel axis is not supported");
        size = {int64_t(std::floor(x.size(2) * s[2])), int64_t(std::floor(x.size(3) * s[3]))};
    } else {
        throw std::runtime_error("Resize needs scales or sizes");
    }
    if (mode == "nearest") {
        const std::string nearest = stringAttr(c, "nearest_mode", "round_prefer_floor");
        // ATen's nearest = floor(out · in/out): ONNX's asymmetric + floor. For integer upscales
        // (the common 2×) every coordinate mode and rounding give the same pixels.
        const bool integerScale = size[0] % x.size(2) == 0 && size[1] % x.size(3) == 0;
        if (!(transform == "asymmetric" && nearest == "floor") && !integerScale)
            throw std::runtime_error("Resize nearest with " + transform + "/" + nearest + " and a non-integer scale is not supported");
        return torch::upsample_nearest2d(x, size);
    }
    if (mode == "linear") {
        if (transform == "align_corners") return torch::upsample_bilinear2d(x, size, true);
        if (transform == "half_pixel" || transform == "pytorch_half_pixel") return torch::upsample_bilinear2d(x, size, false);
        throw std::runtime_error("Resize linear with " + transform + " coordinates is not supported");
    }
    throw std::runtime_error("Resize mode '" + mode + "' is not supported");
}

torch::Tensor constantValue(const Context& c)
{
    for (const auto& a : c.node.attribute()) {
        if (a.name() == "value") return fromProto(a.t());
        if (a.name() == "value_float") return torch::tensor(a.f(), torch::kFloat32);
        if (a.name() == "value_floats") return torch::tensor(std::vector<float>(a.floats().begin(), a.floats().end()));
        if (a.name() == "value_int") return torch::tensor(a.i(), torch::kInt64);
        if (a.name() == "value_ints")
            return torch::tensor(std::vector<int64_t>(a.ints().begin(), a.ints().end()), torch::kInt64);
    }
    throw std::runtime_error("Constant has no value this reader supports (value, value_float(s), value_int(s))");
}

torch::Tensor softmax(const Context& c, const torch::Tensor& x, bool log)
{
    if (c.opset >= 13) {
        const int64_t axis = intAttr(c, "axis", -1);
        return log ? torch::log_softmax(x, axis) : torch::softmax(x, axis);
    }
    // Opsets 1–12: the input is coerced to 2-D at `axis` (default 1) and normalised over the
    // second dimension (Softmax-1/11).
    const int64_t axis = normAxis(intAttr(c, "axis", 1), x.dim());
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.size(d);
    const auto flat = x.reshape({outer, -1});
    return (log ? torch::log_softmax(flat, 1) : torch::softmax(flat, 1)).reshape(x.sizes());
}

/// ScatterND (opset 11/16/18): a copy of data with the slices indices[i] (the first k axes) set
/// to updates[i], or combined with them by `reduction` (add, mul, max, min).
torch::Tensor scatterNd(const Context& c, const T& in)
{
    const torch::Tensor& data = in[0];
    const torch::Tensor idx = in[1].to(torch::kInt64);
    const int64_t k = idx.size(-1);
    if (k > data.dim()) throw std::runtime_error("ScatterND: indices address " + std::to_string(k) + " axes of a rank-" +
                                                 std::to_string(data.dim()) + " tensor");
    // The first k axes as one: a linear index per update, the rest of each slice as a row.
    std::vector<int64_t> lead(data.sizes().begin(), data.sizes().begin() + k);
    int64_t leadCount = 1;
    for (int64_t d : lead) leadCount *= d;
    std::vector<int64_t> flatShape{leadCount};
    flatShape.insert(flatShape.end(), data.sizes().begin() + k, data.sizes().end());
    torch::Tensor out = data.reshape(flatShape).clone();
    const torch::Tensor rows = idx.reshape({-1, k});
    torch::Tensor linear = torch::zeros({rows.size(0)}, torch::kInt64);
    for (int64_t a = 0; a < k; ++a) {
        torch::Tensor i = rows.select(1, a);
        i = torch::where(i < 0, i + lead[size_t(a)], i);  // negative indices count from the end
        if (rows.size(0) > 0 && (i.min().item<int64_t>() < 0 || i.max().item<int64_t>() >= lead[size_t(a)]))
            throw std::runtime_error("ScatterND: an index is outside axis " + std::to_string(a) + " of size " +
                                     std::to_string(lead[size_t(a)]));
        linear = linear * lead[size_t(a)] + i;
    }
    std::vector<int64_t> updShape{rows.size(0)};
    updShape.insert(updShape.end(), data.sizes().begin() + k, data.sizes().end());
    const torch::Tensor upd = in[2].to(data.scalar_type()).reshape(updShape);
    const std::string reduction = stringAttr(c, "reduction", "none");
    if (reduction == "none") out.index_put_({linear}, upd);
    else if (reduction == "add") out.index_add_(0, linear, upd);
    else
        for (int64_t r = 0; r < rows.size(0); ++r) {  // mul, max, min: one slice at a time
            torch::Tensor slot = out.select(0, linear[r].item<int64_t>());
            const torch::Tensor u = upd.select(0, r);
            if (reduction == "mul") slot.mul_(u);
            else if (reduction == "max") slot.copy_(torch::maximum(slot, u));
            else if (reduction == "min") slot.copy_(torch::minimum(slot, u));
            else throw std::runtime_error("ScatterND: unknown reduction '" + reduction + "'");
        }
    return out.reshape(data.sizes());
}

std::unordered_map<std::string, Kernel> makeKernels()
{
    std::unordered_map<std::string, Kernel> k;
    auto one = [&k](const char* name, std::function<torch::Tensor(const Context&, const T&)> f) {
        k[name] = [f](const Context& c, const T& in) { return T{f(c, in)}; };
    };
    // Elementwise arithmetic (numpy broadcasting = ATen's).
    one("Add", [](const Context&, const T& in) { return in[0] + in[1]; });
    one("Sub", [](const Context&, const T& in) { return in[0] - in[1]; });
    one("Mul", [](const Context&, const T& in) { return in[0] * in[1]; });
    one("Div", [](const Context&, const T& in) {
        return in[0].is_floating_point() ? in[0] / in[1] : torch::div(in[0], in[1], "trunc");
    });
    one("Pow", [](const Context&, const T& in) { return torch::pow(in[0], in[1]).to(in[0].scalar_type()); });
    one("Sqrt", [](const Context&, const T& in) { return torch::sqrt(in[0]); });
    one("Exp", [](const Context&, const T& in) { return torch::exp(in[0]); });
    one("Log", [](const Context&, const T& in) { return torch::log(in[0]); });
    one("Abs", [](const Context&, const T& in) { return torch::abs(in[0]); });
    one("Neg", [](const Context&, const T& in) { return torch::neg(in[0]); });
    one("Reciprocal", [](const Context&, const T& in) { return torch::reciprocal(in[0]); });
    one("Erf", [](const Context&, const T& in) { return torch::erf(in[0]); });
    one("Floor", [](const Context&, const T& in) { return torch::floor(in[0]); });
    one("Ceil", [](const Context&, const T& in) { return torch::ceil(in[0]); });
    one("Max", [](const Context&, const T& in) {
        auto r = in[0];
        for (size_t i = 1; i < in.size(); ++i) r = torch::maximum(r, in[i]);
        return r;
    });
    one("Min", [](const Context&, const T& in) {
        auto r = in[0];
        for (size_t i = 1; i < in.size(); ++i) r = torch::minimum(r, in[i]);
        return r;
    });
    one("Sum", [](const Context&, const T& in) {
        auto r = in[0];
        for (size_t i = 1; i < in.size(); ++i) r = r + in[i];
        return r;
    });
    one("Identity", [](const Context&, const T& in) { return in[0]; });
    k["Dropout"] = [](const Context&, const T& in) { return T{in[0], torch::ones_like(in[0], torch::kBool)}; };
    // Activations.
    one("Relu", [](const Context&, const T& in) { return torch::relu(in[0]); });
    one("LeakyRelu", [](const Context& c, const T& in) { return torch::leaky_relu(in[0], floatAttr(c, "alpha", 0.01f)); });
    one("Sigmoid", [](const Context&, const T& in) { return torch::sigmoid(in[0]); });
    one("Tanh", [](const Context&, const T& in) { return torch::tanh(in[0]); });
    one("HardSigmoid", [](const Context& c, const T& in) {
        return torch::clamp(in[0] * floatAttr(c, "alpha", 0.2f) + floatAttr(c, "beta", 0.5f), 0.0, 1.0);
    });
    one("HardSwish", [](const Context&, const T& in) { return torch::hardswish(in[0]); });
    one("Gelu", [](const Context& c, const T& in) { return torch::gelu(in[0], stringAttr(c, "approximate", "none")); });
    one("Clip", [](const Context& c, const T& in) {
        if (c.opset < 11) {
            return torch::clamp(in[0], floatAttr(c, "min", -std::numeric_limits<float>::max()),
                                floatAttr(c, "max", std::numeric_limits<float>::max()));
        }
        torch::Tensor r = in[0];
        if (given(in, 1)) r = torch::maximum(r, in[1].to(r.scalar_type()));
        if (given(in, 2)) r = torch::minimum(r, in[2].to(r.scalar_type()));
        return r;
    });
    one("Softmax", [](const Context& c, const T& in) { return softmax(c, in[0], false); });
    one("LogSoftmax", [](const Context& c, const T& in) { return softmax(c, in[0], true); });
    // Linear algebra and normalisation.
    one("MatMul", [](const Context&, const T& in) { return torch::matmul(in[0], in[1]); });
    one("Gemm", [](const Context& c, const T& in) {
        const auto a = intAttr(c, "transA", 0) ? in[0].t() : in[0];
        const auto b = intAttr(c, "transB", 0) ? in[1].t() : in[1];
        auto y = torch::mm(a, b) * floatAttr(c, "alpha", 1.0f);
        if (given(in, 2)) y = y + in[2] * floatAttr(c, "beta", 1.0f);
        return y;
    });
    one("BatchNormalization", [](const Context& c, const T& in) {
        // Inference: (x − mean)/√(var + ε)·scale + B with the stored statistics.
        return torch::batch_norm(in[0], in[1], in[2], in[3], in[4], false, 0.0, floatAttr(c, "epsilon", 1e-5f), false);
    });
    one("LayerNormalization", [](const Context& c, const T& in) {
        const int64_t axis = normAxis(intAttr(c, "axis", -1), in[0].dim());
        const std::vector<int64_t> shape(in[0].sizes().begin() + axis, in[0].sizes().end());
        return torch::layer_norm(in[0], shape, in[1], given(in, 2) ? in[2] : torch::Tensor(), floatAttr(c, "epsilon", 1e-5f));
    });
    one("Conv", [](const Context& c, const T& in) { return conv(c, in); });
    one("ConvTranspose", [](const Context& c, const T& in) { return convTranspose(c, in); });
    one("MaxPool", [](const Context& c, const T& in) { return pool(c, in, true); });
    one("AveragePool", [](const Context& c, const T& in) { return pool(c, in, false); });
    one("GlobalAveragePool", [](const Context&, const T& in) {
        std::vector<int64_t> spatial;
        for (int64_t d = 2; d < in[0].dim(); ++d) spatial.push_back(d);
        return in[0].mean(spatial, true);
    });
    one("GlobalMaxPool", [](const Context&, const T& in) {
        std::vector<int64_t> spatial;
        for (int64_t d = 2; d < in[0].dim(); ++d) spatial.push_back(d);
        return torch::amax(in[0], spatial, true);
    });
    one("ReduceMean", [](const Context& c, const T& in) { return reduce(c, in, "mean"); });
    one("ReduceSum", [](const Context& c, const T& in) { return reduce(c, in, "sum"); });
    one("ReduceMax", [](const Context& c, const T& in) { return reduce(c, in, "max"); });
    one("ReduceMin", [](const Context& c, const T& in) { return reduce(c, in, "min"); });
    one("ArgMax", [](const Context& c, const T& in) {
        return in[0].argmax(normAxis(intAttr(c, "axis", 0), in[0].dim()), intAttr(c, "keepdims", 1) != 0);
    });
    // Shapes and indexing.
    one("Reshape", [](const Context& c, const T& in) { return reshape(c, in); });
    one("Transpose", [](const Context& c, const T& in) {
        auto perm = intsAttr(c, "perm");
        if (perm.empty())  // default: reverse the axes
            for (int64_t d = in[0].dim() - 1; d >= 0; --d) perm.push_back(d);
        return in[0].permute(perm);
    });
    one("Flatten", [](const Context& c, const T& in) {
        const int64_t axis = normAxis(intAttr(c, "axis", 1), in[0].dim());
        int64_t outer = 1;
        for (int64_t d = 0; d < axis; ++d) outer *= in[0].size(d);
        return in[0].reshape({outer, outer == 0 ? 0 : in[0].numel() / std::max<int64_t>(outer, 1)});
    });
    one("Squeeze", [](const Context& c, const T& in) {
        auto axes = c.opset >= 13 ? axesOf(c, in, 1) : intsAttr(c, "axes");
        if (axes.empty()) return in[0].squeeze();
        for (auto& a : axes) a = normAxis(a, in[0].dim());
        std::sort(axes.rbegin(), axes.rend());
        torch::Tensor r = in[0];
        for (int64_t a : axes) {
            if (r.size(a) != 1) throw std::runtime_error("Squeeze of axis " + std::to_string(a) + " with size " + std::to_string(r.size(a)));
            r = r.squeeze(a);
        }
        return r;
    });
    one("Unsqueeze", [](const Context& c, const T& in) {
        auto axes = c.opset >= 13 ? axesOf(c, in, 1) : intsAttr(c, "axes");
        const int64_t rank = in[0].dim() + int64_t(axes.size());
        for (auto& a : axes) a = normAxis(a, rank);
        std::sort(axes.begin(), axes.end());
        torch::Tensor r = in[0];
        for (int64_t a : axes) r = r.unsqueeze(a);
        return r;
    });
    one("Concat", [](const Context& c, const T& in) {
        std::vector<torch::Tensor> parts;
        for (const auto& t : in)
            if (t.defined()) parts.push_back(t);
        return torch::cat(parts, normAxis(intAttr(c, "axis", 0), parts.at(0).dim()));
    });
    k["Split"] = [](const Context& c, const T& in) {
        std::vector<torch::Tensor> parts;
        split(c, in, size_t(c.node.output_size()), parts);
        return parts;
    };
    one("Slice", [](const Context& c, const T& in) { return slice(c, in); });
    one("Gather", [](const Context& c, const T& in) { return gather(c, in); });
    one("Expand", [](const Context&, const T& in) { return expand(in); });
    one("Tile", [](const Context&, const T& in) { return in[0].repeat(ints(in[1])); });
    one("Where", [](const Context&, const T& in) { return torch::where(in[0].to(torch::kBool), in[1], in[2]); });
    one("Equal", [](const Context&, const T& in) { return torch::eq(in[0], in[1]); });
    one("Less", [](const Context&, const T& in) { return torch::lt(in[0], in[1]); });
    one("Greater", [](const Context&, const T& in) { return torch::gt(in[0], in[1]); });
    one("Not", [](const Context&, const T& in) { return torch::logical_not(in[0]); });
    one("And", [](const Context&, const T& in) { return torch::logical_and(in[0], in[1]); });
    one("Or", [](const Context&, const T& in) { return torch::logical_or(in[0], in[1]); });
    one("Cast", [](const Context& c, const T& in) { return in[0].to(scalarType(intAttr(c, "to", 1))); });
    one("Shape", [](const Context& c, const T& in) {
        const int64_t rank = in[0].dim();
        const int64_t start = std::clamp<int64_t>(normAxis(intAttr(c, "start", 0), rank), 0, rank);
        const int64_t end = std::clamp<int64_t>(normAxis(intAttr(c, "end", rank), rank), 0, rank);
        std::vector<int64_t> s(in[0].sizes().begin() + start, in[0].sizes().begin() + std::max(start, end));
        return torch::tensor(s, torch::kInt64);
    });
    one("Size", [](const Context&, const T& in) { return torch::tensor(in[0].numel(), torch::kInt64); });
    one("ConstantOfShape", [](const Context& c, const T& in) {
        const auto shape = ints(in[0]);
        const auto* v = attr(c, "value");
        const torch::Tensor value = v ? fromProto(v->t()) : torch::zeros({1}, torch::kFloat32);
        return torch::full(shape, value.flatten()[0].item(), value.options());
    });
    one("Range", [](const Context&, const T& in) {
        const auto type = in[0].scalar_type();
        return torch::arange(in[0].item(), in[1].item(), in[2].item(), torch::TensorOptions().dtype(type));
    });
    // What encoder–decoder and decoder-only exports (Optimum) add: causal masks (Trilu, CumSum
    // of the attention mask for positions), rotary positions (Sin, Cos), NaN guards, KV-cache
    // writes (ScatterND).
    one("Trilu", [](const Context& c, const T& in) {
        const int64_t k = given(in, 1) ? in[1].item<int64_t>() : 0;
        return intAttr(c, "upper", 1) ? torch::triu(in[0], k) : torch::tril(in[0], k);
    });
    one("Sin", [](const Context&, const T& in) { return torch::sin(in[0]); });
    one("Cos", [](const Context&, const T& in) { return torch::cos(in[0]); });
    one("IsNaN", [](const Context&, const T& in) { return torch::isnan(in[0]); });
    one("CumSum", [](const Context& c, const T& in) {
        const int64_t axis = normAxis(in[1].item<int64_t>(), in[0].dim());
        const bool reverse = intAttr(c, "reverse", 0) != 0, exclusive = intAttr(c, "exclusive", 0) != 0;
        const torch::Tensor x = reverse ? in[0].flip({axis}) : in[0];
        torch::Tensor y = torch::cumsum(x, axis, x.scalar_type());
        if (exclusive) y = y - x;  // the sum of the elements before, not including, each one
        return reverse ? y.flip({axis}) : y;
    });
    one("ScatterND", [](const Context& c, const T& in) { return scatterNd(c, in); });
    one("Constant", [](const Context& c, const T&) { return constantValue(c); });
    one("Resize", [](const Context& c, const T& in) { return resize(c, in); });
    return k;
}
} // namespace

torch::Tensor fromProto(const op::TensorProto& t, const std::string& dir)
{
    const std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    const int32_t type = t.data_type();
    const auto st = scalarType(type);
    std::string raw;
    const std::string* bytes = nullptr;
    if (t.data_location() == op::TensorProto::EXTERNAL) {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& e : t.external_data()) {
            if (e.key() == "location") location = e.value();
            if (e.key() == "offset") offset = std::stoll(e.value());
            if (e.key() == "length") length = std::stoll(e.value());
        }
        // Inside the model's folder only (CVE-2022-25882), a regular file: never /dev/zero or a FIFO.
        std::string resolved;
        if (auto st = resolveInside(QDir(QString::fromStdString(dir)), QString::fromStdString(location), "the model",
                                    "the external data of '" + t.name() + "'", resolved);
            !st)
            throw std::runtime_error(st.message);
        QFile f(QString::fromStdString(resolved));
        if (offset < 0 || !f.open(QIODevice::ReadOnly) || !f.seek(offset))
            throw std::runtime_error("cannot read the external weights of '" + t.name() + "' from " + location);
        const QByteArray b = length < 0 ? f.readAll() : f.read(length);
        raw.assign(b.constData(), size_t(b.size()));
        bytes = &raw;
    } else if (!t.raw_data().empty()) {
        bytes = &t.raw_data();
    }
    int64_t count = 1;
    for (int64_t d : dims) count *= d;
    if (bytes) {
        if (type == op::TensorProto::FLOAT16) {
            if (int64_t(bytes->size()) != count * 2) throw std::runtime_error("tensor '" + t.name() + "' holds the wrong number of bytes");
            return torch::from_blob(const_cast<char*>(bytes->data()), dims, torch::kHalf).to(torch::kFloat32);
        }
        const auto out = torch::empty(dims, torch::TensorOptions().dtype(st));
        if (int64_t(bytes->size()) != count * int64_t(out.element_size()))
            throw std::runtime_error("tensor '" + t.name() + "' holds " + std::to_string(bytes->size()) + " bytes for " +
                                     std::to_string(count) + " elements");
        std::memcpy(out.data_ptr(), bytes->data(), bytes->size());
        return out;
    }
    switch (type) {
    case op::TensorProto::FLOAT:
        return torch::tensor(std::vector<float>(t.float_data().begin(), t.float_data().end()), torch::kFloat32).reshape(dims);
    case op::TensorProto::DOUBLE:
        return torch::tensor(std::vector<double>(t.double_data().begin(), t.double_data().end()), torch::kFloat64).reshape(dims);
    case op::TensorProto::INT64:
        return torch::tensor(std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end()), torch::kInt64).reshape(dims);
    case op::TensorProto::INT32:
    case op::TensorProto::INT16:
    case op::TensorProto::INT8:
    case op::TensorProto::UINT8:
    case op::TensorProto::BOOL:
        return torch::tensor(std::vector<int32_t>(t.int32_data().begin(), t.int32_data().end()), torch::kInt32)
            .reshape(dims)
            .to(st);
    case op::TensorProto::FLOAT16: {
        // Typed float16 values are stored as their bit patterns in int32_data.
        std::vector<int16_t> bits(t.int32_data().begin(), t.int32_data().end());
        return torch::from_blob(bits.data(), dims, torch::kInt16).view(torch::kHalf).to(torch::kFloat32);
    }
    default: throw std::runtime_error("tensor '" + t.name() + "' has an element type AttnScope does not read");
    }
}

const std::unordered_map<std::string, Kernel>& kernels()
{
    static const auto k = makeKernels();
    return k;
}

} // namespace attnscope::onnxops

namespace attnscope {
const std::vector<std::string>& onnxOperatorsRunnable()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& [name, kernel] : onnxops::kernels()) v.push_back(name);
        std::sort(v.begin(), v.end());
        return v;
    }();
    return names;
}
} // namespace attnscope
