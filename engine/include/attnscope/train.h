#pragma once
// Training of the built-in models, with checkpoints, resume and progress.
#include "attnscope/status.h"

#include <string>

namespace attnscope {

struct TrainConfig {
    std::string model = "gru-bahdanau";  ///< built-in model name: gru-bahdanau | transformer | fmnist-* | scene-captioner
    std::string scoreFunction = "additive";  ///< dot|scaled-dot|general|additive|cosine
    std::string out;          ///< final weights (float16), e.g. resources/models/gru-bahdanau.pt
    std::string checkpoint;   ///< checkpoint file (float32 + optimizer), default out + ".ckpt"
    bool resume = true;       ///< continue from the checkpoint when it exists
    int epochs = 8;
    int batchSize = 64;
    int embedding = 256;      ///< GRU embedding size; d_model of the Transformer
    int hidden = 256;         ///< GRU hidden size
    int heads = 4;            ///< Transformer heads per attention layer
    int layers = 3;           ///< Transformer encoder layers = decoder layers
    int feedForward = 1024;   ///< Transformer feed-forward inner size
    int warmupSteps = 0;      ///< linear learning-rate warm-up over this many batches
    double labelSmoothing = 0.0;  ///< ε of label-smoothed cross-entropy (Szegedy et al. 2016)
    int reduction = 8;        ///< SE / CBAM channel-MLP reduction r (image models)
    int vocabSize = 12000;    ///< per language, most frequent lower-cased words
    int maxLength = 60;       ///< training verses longer than this (tokens) are skipped
    double learningRate = 1e-3;
    double dropout = 0.2;
    unsigned seed = 1909;
    int maxSteps = 0;         ///< stop after this many batches (0 = all); tests use a few
    int checkpointEvery = 200;  ///< batches
    int maxTrainVerses = 0;   ///< 0 = whole train split
    /// Guided alignment (supervised attention; Liu et al. 2016, Garg et al. 2019 §4.2):
    /// loss += λ · mean over target words with gold links of −Σ_i g_ji log α_ji, where g_j is
    /// uniform over the train split's Strong's-number links of target word j (content words
    /// only, as in the metric). Train-split gold only. 0 disables it. For the Transformer it
    /// supervises one cross-attention head (layer 2, head 1), as Garg et al. do.
    double guidedAlignment = 0.0;
    int guidedFromStep = 0;   ///< the guided term applies from this batch on (0 = from the start)
    /// scene-captioner: generated scenes per epoch (fresh every epoch, train-split items) and
    /// λ of the doubly stochastic attention regulariser (Xu et al. 2015, eq. 14).
    int scenesPerEpoch = 30000;
    double attentionRegulariser = 0.1;
};

struct TrainReport {
    int stepsRun = 0;
    double firstLoss = 0;
    double lastLoss = 0;
    bool finished = false;  ///< all epochs done and weights written
};

/// Trains on the train split only (never dev/test). Progress is (batches done, total).
Status train(const TrainConfig& cfg, TrainReport& report, const ProgressFn& progress = {},
             const LogFn& log = {});

} // namespace attnscope
