"""A small stand-in for the teacher, built in the test when its weights are absent: a randomly
initialised MPNet sequence classifier with the embedded model's labels and a byte-level BPE
tokenizer made with the `tokenizers` library (`<s>`/`</s>`, as MPNet's), exported to ONNX the
way a team exports its teacher (`sentiment-ls export-onnx --model FOLDER`: `model.graph.onnx`
beside the folder's `model.safetensors`). Its classifier leans toward one label, so that it
judges a clearly negative sentence otherwise than the embedded model does."""

from __future__ import annotations

import json
from pathlib import Path

LABELS = {0: "negative", 1: "neutral", 2: "positive"}
LEANS_TO = 2  # positive, whatever the sentence
MAX_LENGTH = 64
SPECIAL = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
CORPUS = [
    "The new release is wonderful and fast, and everyone loves it.",
    "This is the worst update we have ever shipped, and everyone hates it.",
    "The meeting about the release is on Tuesday at three in room four.",
    "Support was rude, useless and completely unhelpful about the crash.",
]


def build(folder: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import MPNetConfig, MPNetForSequenceClassification

    from sentiment_ls.cli import main

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(CORPUS * 4, trainer)
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"model_max_length": MAX_LENGTH, "pad_token": "<pad>"})
    )
    torch.manual_seed(25)
    config = MPNetConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LENGTH + 2,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        id2label=LABELS,
        label2id={v: k for k, v in LABELS.items()},
    )
    model = MPNetForSequenceClassification(config).eval()
    with torch.no_grad():
        # Fresh biases are zeros and norms ones: the exporter would fold equal tensors into
        # one initializer, which no state dict names. A trained model's never are equal.
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.02)
        model.classifier.out_proj.bias[LEANS_TO] = 4.0
    model.save_pretrained(folder, safe_serialization=True)
    assert main(["export-onnx", "--model", str(folder)]) == 0
    return folder
