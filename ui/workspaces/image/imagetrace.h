#pragma once
// Reading the tensors of an image-classifier trace (see attnscope::ImageClassifier::classify)
// for the views: per block "block<b>.excitation" [channel], "block<b>.features"
// [channel, row, col], "block<b>.spatial" [row, col]; "input" [row, col]; "probabilities".
#include "attnscope/imagemodel.h"
#include "attnscope/trace.h"
#include "views/mapstripview.h"

#include <QImage>
#include <QStringList>

#include <vector>

namespace attnscope::ui {

/// Number of blocks with an excitation tensor.
int blockCount(const AttentionTrace& t);
/// Excitation of block b (0-based); empty when absent.
std::vector<float> blockExcitation(const AttentionTrace& t, int block);
/// Feature map of channel c of block b as a tile captioned "c<c> · s=<excitation>".
MapTile featureTile(const AttentionTrace& t, int block, int channel);
/// The feature maps of the `k` most (or least) excited channels of block b.
std::vector<MapTile> extremeTiles(const AttentionTrace& t, int block, int k, bool most);
/// CBAM spatial map of block b; empty (rows = cols = 0) when the model has none.
MapTile spatialTile(const AttentionTrace& t, int block);
/// The model input tensor as a tile.
MapTile inputTile(const AttentionTrace& t);
/// Softmax probabilities and class names.
std::vector<float> probabilities(const AttentionTrace& t, QStringList* names = nullptr);
/// The 28×28 model input before normalisation as a grey QImage (ink bright).
QImage inputImage(const PreparedImage& image);
/// The original image's preview as an RGB QImage.
QImage previewImage(const PreparedImage& image);
/// "Block 2 · 64 channels · 14×14" for block b of `t`.
QString blockLabel(const AttentionTrace& t, int block);

} // namespace attnscope::ui
