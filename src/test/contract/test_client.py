"""A client generated from the running service's OpenAPI document by openapi-python-client works
(issue 15): it captions a golden image through each request shape, reads the model, and gets a
typed Problem for a bad image. Run by .ci/steps/27-contract.sh with the generated package on
PYTHONPATH and ALIGNCAP_URL, ALIGNCAP_API_KEY and CONTRACT_IMAGE set."""

import base64
import os
from pathlib import Path

import pytest
from aligncap_client import AuthenticatedClient
from aligncap_client.api.captions import caption_form, caption_image, caption_json
from aligncap_client.api.models import list_models
from aligncap_client.api.rankings import rank_json
from aligncap_client.models import CaptionForm, CaptionRequest, CaptionResult, Problem, RankingRequest
from aligncap_client.types import File
from PIL import Image

IMAGE = Path(os.environ["CONTRACT_IMAGE"])


@pytest.fixture(scope="module")
def client():
    return AuthenticatedClient(
        base_url=os.environ["ALIGNCAP_URL"],
        token=os.environ["ALIGNCAP_API_KEY"],
        prefix="",
        auth_header_name="X-API-Key",
        raise_on_unexpected_status=True,
        timeout=60,
    )


def check_captions(result, results):
    assert isinstance(result, CaptionResult), result
    assert len(result.captions) == results
    assert result.captions[0].text and result.captions[0].log_prob <= 0
    assert (result.image_width, result.image_height) == Image.open(IMAGE).size


def test_caption_the_image_as_the_body(client):
    body = File(payload=IMAGE.read_bytes(), file_name=IMAGE.name, mime_type="image/png")
    check_captions(caption_image.sync(client=client, body=body, beam_size=3, results=2), 2)


def test_caption_a_form(client):
    form = CaptionForm(image=File(payload=IMAGE.read_bytes(), file_name=IMAGE.name, mime_type="image/png"),
                       beam_size=2, results=2)
    check_captions(caption_form.sync(client=client, body=form), 2)


def test_caption_json(client):
    body = CaptionRequest(image=base64.b64encode(IMAGE.read_bytes()).decode(), beam_size=1)
    check_captions(caption_json.sync(client=client, body=body), 1)


def test_rank(client):
    body = RankingRequest(image=base64.b64encode(IMAGE.read_bytes()).decode(),
                          candidates=["a dog on the grass", "a red car"])
    result = rank_json.sync(client=client, body=body)
    assert [r.index for r in result.rankings] != [] and result.image_width > 0


def test_models(client):
    models = list_models.sync(client=client).models
    assert models[0].ready and models[0].source in ("directory", "classpath", "s3")


def test_a_bad_image_is_a_typed_problem(client):
    body = File(payload=b"not an image", file_name="x.png", mime_type="image/png")
    problem = caption_image.sync(client=client, body=body)
    assert isinstance(problem, Problem), problem
    assert problem.status == 400 and problem.type_ == "urn:aligncap:problem:invalid-image"
    assert problem.detail and problem.request_id
