"""Decode the inline SVG QR code the portal renders (segno's single-path SVG)."""

import re

import zxingcpp
from PIL import Image, ImageDraw

PATH = re.compile(r'<path[^>]*\bd="([^"]+)"')
SIZE = re.compile(r'<svg[^>]*\bwidth="(\d+)"')
SCALE = re.compile(r"scale\((\d+)\)")
TOKEN = re.compile(r"([MmHhVv])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")


def svg_to_image(svg, pixels_per_module=8):
    scale = int(SCALE.search(svg).group(1)) if SCALE.search(svg) else 1
    modules = int(SIZE.search(svg).group(1)) // scale
    image = Image.new("L", (modules * pixels_per_module, modules * pixels_per_module), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in TOKEN.findall(PATH.search(svg).group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command in "hH":
            end = x + float(a) if command == "h" else float(a)
            row = int(y - 0.5)
            draw.rectangle(
                [x * pixels_per_module, row * pixels_per_module,
                 end * pixels_per_module - 1, (row + 1) * pixels_per_module - 1],
                fill=0,
            )  # fmt: skip
            x = end
    return image


def decode_svg_qr(svg):
    results = zxingcpp.read_barcodes(svg_to_image(svg))
    return [r.text for r in results]
