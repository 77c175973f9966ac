#pragma once
// Internal: the pieces of the dump parsers that the memory-mapped importer (long/mapped.cpp)
// shares — .npy headers, dtypes, conversions, checked sizes. No torch.
#include "attnscope/status.h"

#include <QByteArray>

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::dumpformat {

enum class DType { F16, BF16, F32, F64 };
size_t itemSize(DType t);
float halfToFloat(uint16_t h);
float bf16ToFloat(uint16_t b);
/// n values of type t at src → float32 (float16 through F16C where the CPU has it).
void convert(const char* src, DType t, int64_t n, float* out);
void convert(const char* src, DType t, int64_t n, std::vector<float>& out);
/// Element count of a shape, or −1 when a dimension is negative or the product exceeds
/// kMaxDumpElements.
int64_t checkedCount(const std::vector<int64_t>& shape);
std::string shapeText(const std::vector<int64_t>& s);
/// Value of `key` in a numpy header dict ("'descr': '<f4'" → "'<f4'"), up to the next ',' at depth 0.
std::string headerField(const std::string& h, const std::string& key);
/// Natural order: digit runs compare as numbers ("layer_2" < "layer_10").
bool naturalLess(const std::string& a, const std::string& b);
Status readAll(const std::string& path, QByteArray& data);

/// The header of a .npy file: dtype descr, C-order shape and where the data starts.
struct NpyHeader {
    std::string descr;
    std::vector<int64_t> shape;
    size_t dataStart = 0;
};
Status readNpyHeader(const char* data, size_t size, const std::string& name, NpyHeader& out);
/// '<f2' / '<f4' / '<f8' (and '=…'); false for others.
bool npyDType(const std::string& descr, DType& t);
/// One scalar at p: kind 'b' bool, 'i' signed, 'u' unsigned, 'f' IEEE float, 'B' bfloat16, of
/// `bytes` bytes, little-endian. False for a kind/size it does not know.
bool readScalar(char kind, size_t bytes, const char* p, double& out);
/// F16, BF16, F32, F64; false for others.
bool safetensorsDType(const std::string& name, DType& t);

} // namespace attnscope::dumpformat
