"""The Python side of the serving benchmark: the seeds' FastAPI + PyTorch server for the same MLP.

Usage: python3 fastapi_server.py WEIGHTS.pt PORT
Loads the state_dict Volt wrote (torch.load(weights_only=True)) into a PyTorch MLP with the same
parameter names and serves POST /predict {"inputs": [[[[...]]]]} and GET /health on 127.0.0.1.
"""
import sys
from typing import List

import torch
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel


class BenchMlp(torch.nn.Module):
    def __init__(self, hidden_size=128):
        super().__init__()
        self.hidden = torch.nn.Linear(28 * 28, hidden_size)
        self.output = torch.nn.Linear(hidden_size, 10)

    def forward(self, images):
        return self.output(torch.relu(self.hidden(images.flatten(1))))


class PredictRequest(BaseModel):
    inputs: List[List[List[List[float]]]]


model = BenchMlp()
model.load_state_dict(torch.load(sys.argv[1], weights_only=True))
model.eval()
app = FastAPI()


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(request: PredictRequest):
    with torch.no_grad():
        outputs = model(torch.tensor(request.inputs, dtype=torch.float32))
    return {"outputs": outputs.tolist()}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
