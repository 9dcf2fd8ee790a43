"""Deep visual-semantic alignments for generating image descriptions (Karpathy & Fei-Fei).

One module per pipeline stage: ``corpus`` (synthetic captioned scenes), ``dataset``
(Karpathy dataset.json, vocabulary), ``model`` (CNN, BRNN, multimodal RNN), ``mrf``
(snippet alignment), ``train``, ``decode`` (beam search, ONNX reference decoder),
``evaluate``, ``export`` (ONNX graphs and the model package).
"""

__version__ = "1.0.0"
