#pragma once
// Fashion-MNIST (Xiao et al. 2017) from Debian's dataset-fashion-mnist package:
// IDX files (LeCun's MNIST format), gzip-compressed, 60,000 train / 10,000 test images,
// 28×28 grey, labels 0–9.
#include "attnscope/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

/// Images of an IDX3 file: `count` images of rows×cols uint8 pixels, row-major, image after
/// image (0 = background, 255 = brightest ink, as in the files).
struct IdxImages {
    int count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  ///< count·rows·cols bytes
    const uint8_t* image(int i) const { return pixels.data() + size_t(i) * size_t(rows) * size_t(cols); }
};

/// Reads an IDX3 (magic 0x00000803) image file, gzip or plain. Checks the magic, that the
/// dimensions are 1..4096 and that the file holds exactly the bytes the header promises
/// (no allocation from an unchecked header: at most 4 GiB and never more than the data read).
Status readIdxImages(const std::string& path, IdxImages& out);
/// Reads an IDX1 (magic 0x00000801) label file, gzip or plain.
Status readIdxLabels(const std::string& path, std::vector<uint8_t>& out);

/// The dataset folder: $ATTNSCOPE_FMNIST or /usr/share/datasets/fashion-mnist.
std::string fashionMnistDir();

struct FashionMnist {
    IdxImages images;
    std::vector<uint8_t> labels;  ///< 0..9, one per image
};
/// The standard split: `train` = 60,000 train images, else the 10,000 test images.
/// Errors name the missing file and the package that provides it.
Status loadFashionMnist(bool train, FashionMnist& out);

/// Class names, index = label: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt,
/// Sneaker, Bag, Ankle boot.
const std::array<std::string, 10>& fashionMnistClasses();

} // namespace attnscope
